"""The content-addressed cache: exact bytes back, a damaged entry dropped, and nothing
written through a link."""

from __future__ import annotations

from briefing.runtime import cache

KEY = cache.digest("html", "some markdown")


def test_a_stored_entry_comes_back_byte_for_byte(tmp_path):
    store = cache.Cache(tmp_path / "build")
    assert store.get("html", KEY) is None
    store.put("html", KEY, b"<p>page</p>\x00\xff")
    assert cache.Cache(tmp_path / "build").get("html", KEY) == b"<p>page</p>\x00\xff"
    assert store.misses == ["html"]
    made = []
    again = cache.Cache(tmp_path / "build")
    assert again.through("html", KEY, lambda: made.append(1) or b"new") == (
        b"<p>page</p>\x00\xff")
    assert made == [] and again.hits == ["html"]  # not made again: it was there
    assert not list((tmp_path / "build" / ".cache").rglob("*.tmp"))


def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path):
    store = cache.Cache(tmp_path / "build")
    store.put("pdf", KEY, b"%PDF whole")
    (entry,) = (tmp_path / "build" / ".cache" / "pdf").rglob(KEY)
    entry.write_bytes(entry.read_bytes()[:-3])  # cut short
    assert store.get("pdf", KEY) is None
    assert not entry.exists()


def test_keys_differ_whenever_the_parts_do():
    assert cache.digest("ab", "c") != cache.digest("a", "bc")
    assert cache.digest("a", b"b") == cache.digest("a", "b")
    assert len(KEY) == 64 and cache.digest("html", "some markdown") == KEY


def test_put_writes_no_file_through_a_linked_stage_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "build" / ".cache").mkdir(parents=True)
    (tmp_path / "build" / ".cache" / "html").symlink_to(outside)
    store = cache.Cache(tmp_path / "build")
    store.put("html", KEY, b"payload")
    assert not [p for p in outside.rglob("*") if p.is_file()]
    assert store.used == set()


def test_put_creates_nothing_at_all_through_a_linked_stage_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "build" / ".cache").mkdir(parents=True)
    (tmp_path / "build" / ".cache" / "html").symlink_to(outside)
    cache.Cache(tmp_path / "build").put("html", KEY, b"payload")
    assert list(outside.iterdir()) == []


def test_put_writes_nothing_through_a_linked_cache_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / ".cache").symlink_to(outside)
    cache.Cache(tmp_path / "build").put("html", KEY, b"payload")
    assert not [p for p in outside.rglob("*") if p.is_file()]
