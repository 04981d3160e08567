"""briefing/watching.py in-process: what `briefing watch` watches, and a project it cannot
watch as a BriefingError for the CLI to print (the end-to-end runs are test_watch.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing import watching
from briefing.errors import BriefingError


def test_each_real_folder_is_watched_but_build_and_links(tmp_path: Path):
    for folder in ("chapters", "build/.cache", "seeds/deep"):
        (tmp_path / folder).mkdir(parents=True)
    os.symlink("/", tmp_path / "seeds" / "root")
    assert watching.folders(tmp_path) == [tmp_path, tmp_path / "chapters",
                                          tmp_path / "seeds", tmp_path / "seeds" / "deep"]
    assert watching.relevant(tmp_path, str(tmp_path / "chapters" / "01-a.md.j2"))
    assert watching.relevant(tmp_path, str(tmp_path / "seeds" / "root"))  # a link: a change
    assert not watching.relevant(tmp_path, str(tmp_path / "build" / "briefing.pdf"))
    assert not watching.relevant(tmp_path, str(tmp_path / "chapters" / ".01-a.md.j2.swp"))
    assert not watching.relevant(tmp_path, "/etc/passwd")


def test_a_project_that_cannot_be_watched_is_an_error_with_a_hint(tmp_path: Path,
                                                                  monkeypatch):
    def refuse(*folders, **options):
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watching.watchfiles, "watch", refuse)
    built = []
    with pytest.raises(BriefingError) as caught:
        watching.watch(tmp_path, 100, lambda: built.append(1))
    (problem,) = caught.value.problems
    assert problem.message == "cannot watch the project: [Errno 28] inotify watch limit reached"
    assert "max_user_watches" in problem.hint
    assert built == []
