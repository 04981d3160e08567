"""The hostile inputs: each one mutation of a clean, built copy of the real briefing.

A case says what to break, which file and line the one error message must name, the
words it must contain, and (optionally) words its hint must contain. Placeholders in
mutation text: @SECRET@ (a file outside the project), @OUTSIDE@ (its directory),
@MARKER@ (a file injected code would create), @PORT@ (a listener on 127.0.0.1).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conftest import FLAGSHIP, FLAGSHIP_VERSION

SEED = "seeds/nos-2018-big-brother.yaml"
OTHER_SEED = "seeds/derksen-2016-sociaal-krediet.yaml"
ANALYSIS = "analysis.yaml"
BIB = "bib/briefing.bib"
CSL = "bib/chicago-author-date.csl"
CONFIG = "briefing.toml"
# The flagship's version and date lines, as briefing.toml has them now.
VERSION_LINE = f'version = "{FLAGSHIP_VERSION}"'
DATE_LINE = f"date = {FLAGSHIP['date'].isoformat()}"
CHAPTER = "chapters/01-introduction.md.j2"

Mutation = Callable[[Path, object], None]


@dataclass
class Case:
    id: str
    mutate: Mutation
    file: str  # the file the message must name
    at: int | str | None  # a line number, the text whose first line is meant, or None
    message: str
    hint: str = ""
    limits: dict = field(default_factory=dict)  # [limits] lowered to keep the suite fast
    setup: str = ""  # an environment condition the runner arranges (see test file)
    env: dict = field(default_factory=dict)  # environment variables for the build


def fill(text: str, world) -> str:
    return (text.replace("@SECRET@", str(world.secret)).replace("@OUTSIDE@", str(world.outside))
            .replace("@MARKER@", str(world.marker)).replace("@PORT@", str(world.port)))


def edit(rel: str, old: str, new: str) -> Mutation:
    def apply(project: Path, world) -> None:
        path = project / rel
        text = path.read_text("utf-8")
        assert old in text, f"{rel} changed: {old!r} is gone; update the case"
        path.write_text(text.replace(old, fill(new, world), 1), "utf-8")
    return apply


def append(rel: str, extra: str) -> Mutation:
    def apply(project: Path, world) -> None:
        path = project / rel
        path.write_text(path.read_text("utf-8") + fill(extra, world), "utf-8")
    return apply


def chapter(extra: str) -> Mutation:
    """Append a paragraph to the first chapter template."""
    return append(CHAPTER, "\n\n" + extra + "\n")


def write(rel: str, data: bytes | str) -> Mutation:
    def apply(project: Path, world) -> None:
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(fill(data, world), "utf-8")
        else:
            path.write_bytes(data)
    return apply


def replace_bytes(rel: str, old: bytes, new: bytes) -> Mutation:
    def apply(project: Path, world) -> None:
        path = project / rel
        data = path.read_bytes()
        assert old in data, f"{rel} changed: {old!r} is gone"
        path.write_bytes(data.replace(old, new, 1))
    return apply


def link(rel: str, target: str) -> Mutation:
    """A symbolic link inside the project pointing at `target` (placeholders allowed)."""
    def apply(project: Path, world) -> None:
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(fill(target, world))
    return apply


def both(*mutations: Mutation) -> Mutation:
    def apply(project: Path, world) -> None:
        for mutation in mutations:
            mutation(project, world)
    return apply


def big_file(rel: str, megabytes: int) -> Mutation:
    def apply(project: Path, world) -> None:
        line = b"  - a line of filler text that makes this file very large indeed\n"
        with (project / rel).open("wb") as handle:
            handle.write(b"filler:\n")
            for _ in range(megabytes * 1024 * 1024 // len(line) + 1):
                handle.write(line)
    return apply


def make_directory(rel: str) -> Mutation:
    def apply(project: Path, world) -> None:
        path = project / rel
        path.unlink()
        path.mkdir()
        (path / "inside.txt").write_text("a directory where a file should be\n")
    return apply


def build_dir_is_link(project: Path, world) -> None:
    target = world.outside / "elsewhere"
    os.rename(project / "build", target)
    (project / "build").symlink_to(target)


LAUGHS = "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(10))

CASES = [
    # --- YAML: seeds and analysis ---------------------------------------------------------
    Case("yaml_syntax_error", edit(SEED, "  language: nl\n", "  language: [nl\n"),
         SEED, "language: [nl", "invalid YAML"),
    Case("yaml_tab_indentation", edit(SEED, "  reporter: nos\n", "\treporter: nos\n"),
         SEED, "\treporter: nos", "invalid YAML", hint="spaces, not tabs"),
    Case("yaml_duplicate_key", edit(SEED, "  language: nl\n", "  language: nl\n  language: en\n"),
         SEED, "language: en", 'duplicate key "language"', hint="remove or rename"),
    Case("yaml_python_tag", edit(SEED, "    kind: organisation\n",
                                 '    kind: !!python/object/apply:os.system ["touch @MARKER@"]\n'),
         SEED, "!!python/object", "YAML tag", hint="plain data only"),
    Case("yaml_custom_tag", edit(SEED, "      en: news organisation, publisher of the article\n",
                                 "      en: !include @SECRET@\n"),
         SEED, "!include", "YAML tag '!include' is not allowed"),
    Case("yaml_billion_laughs", edit(SEED, "source:\n", LAUGHS + "source:\n"),
         SEED, "lol0: &l0", "YAML anchors and aliases are not allowed", hint="in full"),
    Case("yaml_wrong_type", edit(SEED, "      para: 1\n      text: \"In China is die",
                                 "      para: first\n      text: \"In China is die"),
         SEED, "para: first", "valid integer"),
    Case("yaml_unknown_key", edit(SEED, "  reporter: nos\n", "  reporter: nos\n  publisher: nos\n"),
         SEED, "publisher: nos", "unknown key 'source.publisher'"),
    Case("yaml_missing_required_key", edit(SEED, "  key: nos2018bigbrother\n", ""),
         SEED, "source:", "missing required key 'source.key'"),
    Case("yaml_dangling_id", edit(SEED, "    to: privacy-scifi-grip\n    type: attacks",
                                  "    to: privacy-scifi-grp\n    type: attacks"),
         SEED, "privacy-scifi-grp", "unknown claim 'privacy-scifi-grp'",
         hint="did you mean 'privacy-scifi-grip'?"),
    Case("yaml_empty_file", write("seeds/zz-empty.yaml", ""),
         "seeds/zz-empty.yaml", 1, "file is empty"),
    Case("yaml_50_mb_file", big_file("seeds/zz-huge.yaml", 50),
         "seeds/zz-huge.yaml", 64529, "passes limits.input_mib (4 MiB)",
         hint="raise limits.input_mib"),
    Case("analysis_wrong_type", edit(ANALYSIS, "    claims: [receptor-lecture-2012]\n",
                                     "    claims: receptor-lecture-2012\n"),
         ANALYSIS, "claims: receptor-lecture-2012", "valid list"),
    Case("yaml_nul_byte", replace_bytes(SEED, b"  language: nl\n", b"  language: n\x00l\n"),
         SEED, "  language: n", "control character U+0000"),

    # --- BibTeX ---------------------------------------------------------------------------
    Case("bibtex_unbalanced_braces",
         append(BIB, "\n@online{broken,\n  title = {Unclosed,\n  year = {2020}\n"),
         BIB, "@online{broken,", "BibTeX entry cannot be parsed", hint="balanced"),
    Case("bibtex_duplicate_key",
         append(BIB, "\n@online{derksen2016sociaalkrediet,\n  author = {Doe, Jane},\n"
                     "  title = {Copy},\n  year = {2016}\n}\n"),
         BIB, "@online{derksen2016sociaalkrediet,\n  author = {Doe",
         "duplicate citation key 'derksen2016sociaalkrediet'"),
    Case("bibtex_non_utf8", replace_bytes(BIB, b"Koneksa Mondo", b"Koneksa M\xf6ndo"),
         BIB, "organization = {Koneksa", "invalid UTF-8 byte 0xf6", hint="UTF-8"),
    Case("bibtex_missing_title",
         edit(BIB, "  title        = {Big Brother 2.0: in {China} bepaalt je ``sociale score'' je "
                   "leven},\n", ""),
         BIB, "@online{nos2018bigbrother,", "entry 'nos2018bigbrother' (online) has no title"),
    Case("bibtex_string_abuse",
         append(BIB, "\n@string{a = \"aaaaaaaaaa\"}\n"
                     "@string{b = a # a # a # a # a # a # a # a # a # a}\n"
                     "@string{c = b # b # b # b # b # b # b # b # b # b}\n"
                     "@string{d = c # c # c # c # c # c # c # c # c # c}\n"
                     "@string{e = d # d # d # d # d # d # d # d # d # d}\n"
                     "@string{f = e # e # e # e # e # e # e # e # e # e}\n"
                     "@misc{bomb,\n  title = f # f,\n  year = {2020}\n}\n"),
         BIB, "@string{e =", "expands to more than limits.bib_field_chars"),
    Case("bibtex_100_kb_field",
         append(BIB, "\n@misc{huge,\n  title = {Huge},\n  year = {2020},\n  abstract = {"
                + "word " * 20_000 + "}\n}\n"),
         BIB, "@misc{huge,", "field 'abstract' of 'huge' is 100,000 characters"),
    Case("bibtex_undefined_string",
         append(BIB, "\n@misc{macro,\n  title = undefinedmacro,\n  year = {2020}\n}\n"),
         BIB, "@misc{macro,", "'undefinedmacro', which is not a defined @string"),
    Case("bibtex_empty_file", write(BIB, ""), BIB, 1, "bibliography has no entries"),
    Case("bibtex_nul_byte", replace_bytes(BIB, b"Koneksa Mondo", b"Koneksa\x00Mondo"),
         BIB, "organization = {Koneksa", "control character U+0000"),

    # --- Templates ------------------------------------------------------------------------
    Case("template_syntax_error", chapter("{% for x in %}"), CHAPTER, "{% for x in %}",
         "template syntax error", hint="{% ... %}"),
    Case("template_undefined_variable", chapter("{{ perspectivs }}"), CHAPTER,
         "{{ perspectivs }}", "'perspectivs' is undefined"),
    Case("template_escape_class", chapter("{{ ''.__class__ }}"), CHAPTER, "{{ ''.__class__",
         "access to attribute '__class__' of 'str' object is unsafe"),
    Case("template_escape_mro",
         chapter("{{ perspectives.__class__.__mro__[1].__subclasses__() }}"), CHAPTER,
         "__subclasses__", "access to attribute '__class__' of 'list' object is unsafe"),
    Case("template_escape_cycler_globals",
         chapter("{{ cycler.__init__.__globals__.os.popen('touch @MARKER@').read() }}"),
         CHAPTER, "cycler.__init__", "access to attribute '__init__'"),
    Case("template_escape_lipsum",
         chapter("{{ lipsum.__globals__['os'].popen('touch @MARKER@').read() }}"),
         CHAPTER, "lipsum.__globals__", "'lipsum' is undefined"),
    Case("template_escape_self", chapter("{{ self.__init__.__globals__ }}"), CHAPTER,
         "self.__init__", "access to attribute '__init__' of 'TemplateReference'"),
    Case("template_escape_self_context", chapter("{{ self._TemplateReference__context }}"),
         CHAPTER, "_TemplateReference__context", "is unsafe"),
    Case("template_escape_format", chapter("{{ '{0.__class__.__mro__}'.format(1) }}"), CHAPTER,
         "'{0.__class__", "access to attribute '__class__' of 'int' object is unsafe"),
    Case("template_infinite_recursion",
         chapter("{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}{{ again(0) }}"),
         CHAPTER, "{% macro again", "template recursion too deep"),
    Case("template_endless_loop",
         chapter("{% for i in range(100000) %}{% for j in range(100000) %}"
                 "{% endfor %}{% endfor %}"),
         CHAPTER, "{% for i in range(100000)", "templates took longer than "
         "limits.template_seconds (1 s)", limits={"template_seconds": 1}),
    Case("template_renders_gigabytes",
         chapter("{% for i in range(100000) %}{% for j in range(100000) %}"
                 "0123456789012345678901234567890123456789{% endfor %}{% endfor %}"),
         CHAPTER, "0123456789", "the chapters make more than 1 MiB of Markdown",
         # The size bound must trip, not the time bound, even on a loaded 2-core machine.
         limits={"markdown_mib": 1, "template_seconds": 120}),
    Case("template_string_bomb", chapter("{{ 'x' * 10 ** 10 }}"), CHAPTER, "{{ 'x' * 10",
         "'*' would make 10,000,000,000 items"),
    Case("template_power_bomb", chapter("{{ 7 ** 123456789 }}"), CHAPTER, "{{ 7 **",
         "'7 ** 123456789' is too large"),
    Case("template_memory_bomb", chapter("{{ 'x'.ljust(3000000000) }}"), CHAPTER,
         ".ljust(", "template used more than limits.template_memory_mib"),
    Case("template_division_by_zero", chapter("{{ 1 / 0 }}"), CHAPTER, "{{ 1 / 0 }}",
         "ZeroDivisionError"),
    Case("template_include_dotdot", chapter("{% include '../../outside/secret.txt' %}"),
         CHAPTER, "{% include", "template '../../outside/secret.txt' not found",
         hint="inside chapters/"),
    Case("template_include_absolute", chapter("{% include '@SECRET@' %}"), CHAPTER,
         "{% include", "not found", hint="inside chapters/"),
    Case("template_include_symlink",
         both(link("chapters/leak.md.j2", "@SECRET@"), chapter("{% include 'leak.md.j2' %}")),
         CHAPTER, "{% include", "'leak.md.j2' is a link to a file outside chapters/"),
    Case("template_nul_byte", chapter("Some text\x00 with a NUL byte."), CHAPTER,
         "Some text", "control character U+0000"),
    Case("template_invalid_utf8",
         replace_bytes(CHAPTER, b'# {{ _("Introduction") }}', b'# {{ _("Introduction") }} \xff'),
         CHAPTER, '# {{ _("Introduction") }}', "invalid UTF-8 byte 0xff"),

    # --- Markdown and HTML that would reach Pandoc or WeasyPrint ---------------------------
    Case("image_absolute_path", chapter("![x](@SECRET@)"), CHAPTER, "![x](", "refused to load"),
    Case("image_file_url", chapter("![x](file://@SECRET@)"), CHAPTER, "![x](",
         "file: URL"),
    Case("image_dotdot", chapter("![x](../outside/secret.txt)"), CHAPTER, "![x](",
         "refused to load"),
    Case("image_symlink_inside_project",
         both(link("figures/leak.png", "@SECRET@"), chapter("![x](figures/leak.png)")),
         CHAPTER, "![x](", "refused to load 'figures/leak.png'"),
    Case("image_http", chapter("![x](http://127.0.0.1:@PORT@/a.png)"), CHAPTER, "![x](",
         "refused to load 'http://127.0.0.1"),
    Case("image_https", chapter("![x](https://127.0.0.1:@PORT@/a.png)"), CHAPTER, "![x](",
         "refused to load 'https://127.0.0.1"),
    Case("raw_html_img_http", chapter('<img src="http://127.0.0.1:@PORT@/a.png" alt="x">'),
         CHAPTER, "<img src=", "raw HTML <img> is not allowed in a chapter"),
    Case("raw_html_link_attachment", chapter('<link rel="attachment" href="@SECRET@">'),
         CHAPTER, "<link rel", "raw HTML <link> is not allowed"),
    Case("raw_html_a_attachment", chapter('<a rel="attachment" href="@SECRET@">file</a>'),
         CHAPTER, "<a rel", "raw HTML <a> is not allowed in a chapter"),
    Case("raw_html_iframe", chapter('<iframe src="file://@SECRET@"></iframe>'), CHAPTER,
         "<iframe", "raw HTML <iframe> is not allowed"),
    Case("raw_html_object", chapter('<object data="@SECRET@"></object>'), CHAPTER, "<object",
         "raw HTML <object> is not allowed"),
    Case("raw_html_embed", chapter('<embed src="http://127.0.0.1:@PORT@/x">'), CHAPTER,
         "<embed", "raw HTML <embed> is not allowed"),
    Case("raw_html_script", chapter("<script>fetch('http://127.0.0.1:@PORT@/')</script>"),
         CHAPTER, "<script>", "raw HTML <script> is not allowed"),
    Case("css_import", chapter('<style>@import url("http://127.0.0.1:@PORT@/x.css");</style>'),
         CHAPTER, "<style>", "raw HTML <style> is not allowed"),
    Case("css_url_in_style_attribute",
         chapter('[x]{style="background: url(file://@SECRET@)"}'), CHAPTER,
         "[x]{style", "CSS 'url(' in a style attribute"),
    Case("link_to_local_file", chapter("See [the file](file://@SECRET@)."), CHAPTER,
         "See [the file]", "file: URL", hint="web address"),
    Case("raw_latex_inline", chapter("Text \\input{@SECRET@} more."), CHAPTER, "\\input{",
         "raw LaTeX “\\input{", hint="write it in Markdown"),
    Case("raw_latex_block", chapter("```{=latex}\n\\include{@SECRET@}\n```"), CHAPTER,
         "```{=latex}", "raw LaTeX", hint="write it in Markdown"),
    Case("paragraph_of_ten_million_characters", chapter("word " * 2_000_000), CHAPTER,
         "word word word",
         "passes limits.input_mib"),
    Case("paragraph_of_ten_million_characters_from_a_loop",
         chapter("{{ 'word ' * 2000000 }}"), CHAPTER, "{{ 'word '",
         "'*' would make 10,000,000 items"),
    Case("paragraph_over_the_paragraph_limit", chapter("{{ 'word ' * 12000 }}"), CHAPTER,
         "{{ 'word ' * 12000 }}", "a paragraph of 60,00"),
    Case("nested_lists_10000_deep", chapter("- " * 10_000 + "x"), CHAPTER, "- - - -",
         "content nested 10000 levels deep"),
    Case("nested_quotes_10000_deep", chapter("> " * 10_000 + "x"), CHAPTER, "> > > >",
         "content nested 10000 levels deep"),
    Case("nested_divs_from_a_loop",
         chapter("{% for i in range(10000) %}<div>\n\n{% endfor %}x"), CHAPTER,
         "<div>", "raw HTML <div> is not allowed in a chapter"),
    Case("nested_fenced_divs_from_a_loop",
         chapter("{% for i in range(10000) %}::: {.box}\n\n{% endfor %}x"), CHAPTER,
         "::: {.box}", "content nested 25 levels deep"),

    # --- briefing.toml --------------------------------------------------------------------
    Case("toml_syntax_error",
         edit(CONFIG, 'title.en = "Scoring Citizens"', 'title.en = "Scoring Citizens'),
         CONFIG, 'title.en = "Scoring Citizens', "invalid TOML", hint="quotes"),
    Case("toml_unknown_key", edit(CONFIG, VERSION_LINE, VERSION_LINE + '\ncolour = "red"'),
         CONFIG, 'colour = "red"', "unknown key 'document.colour'"),
    Case("toml_chapter_listed_twice", edit(CONFIG, '  "02-context",', '  "02-context",\n'
                                           '  "02-context",'),
         CONFIG, '"02-context"', "chapter '02-context' is listed twice"),
    Case("toml_chapter_missing", edit(CONFIG, '  "02-context",', '  "02-contxt",'), CONFIG,
         '"02-contxt"', "chapter '02-contxt' does not exist", hint="did you mean '02-context'?"),
    Case("toml_chapter_is_link_outside",
         both(link("chapters/12-leak.md.j2", "@SECRET@"),
              edit(CONFIG, '  "11-source-balance",', '  "11-source-balance",\n  "12-leak",')),
         CONFIG, '"12-leak"', "is a link to a file outside chapters/"),
    Case("toml_output_outside_build", edit(CONFIG, 'name = "briefing"', 'name = "../../x"'),
         CONFIG, 'name = "../../x"', "is not a plain file name", hint="build/"),
    Case("toml_bibliography_outside", edit(CONFIG, 'file = "bib/briefing.bib"',
                                           'file = "../outside/secret.txt"'),
         CONFIG, 'file = "../outside', "bibliography.file '../outside/secret.txt' is outside"),
    Case("toml_csl_absolute_path", edit(CONFIG, 'style = "bib/chicago-author-date.csl"',
                                        'style = "@SECRET@"'),
         CONFIG, "style = ", "is outside the project"),
    Case("csl_that_is_not_csl", write(CSL, "<html><body>not a style</body></html>\n"), CSL, 1,
         "not a CSL style"),
    Case("toml_limit_not_positive", append(CONFIG, "\n[limits]\npandoc_seconds = -1\n"),
         CONFIG, "pandoc_seconds = -1", "limits.pandoc_seconds: Input should be greater than 0"),

    # --- The environment ------------------------------------------------------------------
    Case("output_pdf_is_a_directory", make_directory("build/briefing.pdf"), "build/briefing.pdf",
         None, "briefing.pdf exists and is not a regular file"),
    Case("output_pdf_is_a_symlink_outside", link("build/briefing.pdf", "@OUTSIDE@/taken.pdf"),
         "build/briefing.pdf", None, "a symbolic link inside build/"),
    Case("build_dir_is_a_symlink_outside", build_dir_is_link, "build", None,
         "build/ is a symbolic link"),
    Case("build_dir_not_writable", lambda project, world: None, "build/.build.lock", None,
         "cannot write", hint="writable", setup="read-only-build"),
    # The first file past the limit: a chapter's Pandoc JSON (Pandoc reads each alone).
    # The first file past the limit: the composed Markdown (74 KB since the changelog).
    Case("disk_full", lambda project, world: None, "build/.work/briefing.md", None,
         "cannot write: file too large", hint="free disk space", setup="disk-full"),
]


# --- Round two: helpers ----------------------------------------------------------------

def fifo(rel: str) -> Mutation:
    """A named pipe where an input should be (no writer: reading it would wait forever)."""
    def apply(project: Path, world) -> None:
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        os.mkfifo(path)
    return apply


def sparse(rel: str, size: int, head: bytes = b"") -> Mutation:
    """A file of `size` bytes that takes no disk space (a hole after `head`)."""
    def apply(project: Path, world) -> None:
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            handle.write(head)
            handle.truncate(size)
    return apply


def folder_link(rel: str, extra: dict[str, str] | None = None) -> Mutation:
    """Move a project folder outside the project and leave a link to it in its place,
    with `extra` files added there (placeholders allowed)."""
    def apply(project: Path, world) -> None:
        target = world.outside / f"linked-{rel.replace('/', '-')}"
        shutil.copytree(project / rel, target)
        for name, text in (extra or {}).items():
            (target / name).write_text(fill(text, world), "utf-8")
        shutil.rmtree(project / rel)
        (project / rel).symlink_to(target)
    return apply


def build_link(rel: str, to_folder: bool = True) -> Mutation:
    """A link inside build/ to a victim outside the project (a folder of 15 files, or one
    file): what a clean-up or a write through the link would destroy."""
    def apply(project: Path, world) -> None:
        path = project / "build" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_file():
            path.unlink()
        path.symlink_to(world.victim if to_folder else world.victim / "file-00.txt")
    return apply


def png(width: int, height: int, truncate: int | None = None) -> bytes:
    """A real PNG (one grey row repeated), optionally cut short after `truncate` bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(min(height, 64)))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return data[:truncate] if truncate else data


def po_entry(msgid: str, msgstr: str) -> Mutation:
    return append("locale/nl.po", f'\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n')


def nested(depth: int, opening: str, closing: str) -> str:
    return opening * depth + closing * depth


TITLE = 'title.en = "Scoring Citizens"'
SHOWN = chapter("![A figure.](figures/figure.png)")  # a chapter line that shows an image

DEEP_SEED = "\n".join(" " * i + "a:" for i in range(2000)) + "\n" + " " * 2000 + "b: 1\n"
MISQUOTE_SEED = (
    "source:\n  id: huge\n  key: nos2018bigbrother\n  title: A huge source\n  language: nl\n"
    "  reporter: nos\n  paragraphs:\n    1: \"" + "woord en nog een woord " * 170_000 + "\"\n"
    "claims:\n  - id: huge-claim\n    kind: fact\n    statement: A claim.\n    holders: [nos]\n"
    "    cites: [1]\n    orphan: true\n    quote:\n      para: 1\n"
    "      text: \"woord en nog een ander woord dat er niet staat\"\n"
    "      translation: A misquote.\n")
SVG_ENTITIES = ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file://@SECRET@">]>\n'
                '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>\n')
SVG_SCRIPT = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n'
              '<script>fetch("http://127.0.0.1:@PORT@/")</script></svg>\n')
SVG_REMOTE = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
              '<image xlink:href="http://127.0.0.1:@PORT@/x.png" width="5" height="5"/></svg>\n')

ROUND_TWO = [
    # 1. Names that become paths -----------------------------------------------------------
    Case("edition_id_is_a_path",
         append(CONFIG, '\n[editions."/../briefing./../../../../outside/victim"]\n'
                        'language = "en-GB"\nidentifier = "urn:uuid:1"\n'),
         CONFIG, '[editions."/../briefing.', "edition id '/../briefing./../../../../outside/"
         "victim' is not a plain name", hint="file names"),
    Case("edition_id_is_absolute",
         append(CONFIG, '\n[editions."@OUTSIDE@"]\nlanguage = "en-GB"\nidentifier = "u:2"\n'),
         CONFIG, '[editions."/', "is not a plain name"),
    Case("edition_id_is_dotdot",
         append(CONFIG, '\n[editions.".."]\nlanguage = "en-GB"\nidentifier = "urn:uuid:3"\n'),
         CONFIG, '[editions."..', "edition id '..' is not a plain name"),
    Case("default_edition_is_a_path", edit(CONFIG, 'edition = "en"', 'edition = "../en"'),
         CONFIG, 'edition = "../en"', "build.edition: String should match pattern"),
    Case("perspective_id_with_markup",
         edit(CONFIG, "[perspectives.privacy]", '[perspectives."privacy} {onclick=x"]'),
         CONFIG, "[perspectives.", "perspective id 'privacy} {onclick=x' is not a plain name"),

    # 2. Links inside build/ ---------------------------------------------------------------
    Case("cache_stage_is_link_outside", build_link(".cache/docx"), "build/.cache/docx", None,
         "a symbolic link inside build/", hint="neither follows nor deletes"),
    Case("manifest_temporary_is_link_outside", build_link(".cache/manifest.tmp", False),
         "build/.cache/manifest.tmp", None, "a symbolic link inside build/"),
    Case("work_folder_is_link_outside", build_link(".work"), "build/.work", None,
         "a symbolic link inside build/"),
    Case("second_work_folder_is_link_outside", build_link(".work-nl"), "build/.work-nl", None,
         "a symbolic link inside build/"),
    Case("cache_entry_is_link_outside", build_link(".cache/html/ab/ab12", False),
         "build/.cache/html/ab/ab12", None, "a symbolic link inside build/"),
    Case("stale_temporary_is_link_outside", build_link(".briefing.pdf.x1y2.tmp", False),
         "build/.briefing.pdf.x1y2.tmp", None, "a symbolic link inside build/"),
    Case("build_lock_is_link_outside", build_link(".build.lock", False), "build/.build.lock",
         None, "the build lock is not a regular file"),
    Case("named_pipe_inside_build", fifo("build/.cache/pipe"), "build/.cache/pipe", None,
         "a named pipe (FIFO) inside build/"),

    # 3. Folders that are links out of the project -----------------------------------------
    Case("chapters_folder_is_link_outside",
         both(folder_link("chapters", {"secret.md.j2": "@SECRET@"}),
              chapter("{% include 'secret.md.j2' %}")),
         "chapters", None, "chapters/ is a link to a folder outside the project",
         hint="inside the project"),
    Case("seeds_folder_is_link_outside", folder_link("seeds"), "seeds", None,
         "seeds/ is a link to a folder outside the project"),
    Case("locale_folder_is_link_outside", folder_link("locale"), "locale", None,
         "locale/ is a link to a folder outside the project"),
    Case("bib_folder_is_link_outside", folder_link("bib"), "bib", None,
         "bib/ is a link to a folder outside the project"),
    Case("seed_is_link_outside", link("seeds/zz-leak.yaml", "@SECRET@"), "seeds/zz-leak.yaml",
         None, "a link to a file outside the project"),
    Case("catalogue_is_link_outside", link("locale/nl.po", "@SECRET@"), "locale/nl.po", None,
         "a link to a file outside the project"),

    # 4. Active content ------------------------------------------------------------------
    Case("javascript_link", chapter("[a link](javascript:fetch('//127.0.0.1:@PORT@'))"),
         CHAPTER, "[a link](javascript:", "the address \"javascript:fetch(", hint="https:"),
    Case("javascript_link_mixed_case", chapter("[a link]( JaVaScRiPt:alert(1))"), CHAPTER,
         "[a link](", "the address 'JaVaScRiPt:alert(1)'"),
    Case("javascript_link_entity", chapter("[a link](java&#9;script:alert(1))"), CHAPTER,
         "[a link](java", "in <a href=> would reach the outputs"),
    Case("vbscript_link", chapter("[a link](vbscript:msgbox(1))"), CHAPTER, "[a link](vb",
         "the address 'vbscript:msgbox(1)'"),
    Case("data_url_link", chapter("[a link](data:text/html;base64,PHNjcmlwdD4=)"), CHAPTER,
         "[a link](data:", "the address 'data:text/html"),
    Case("protocol_relative_link", chapter("[a link](//127.0.0.1:@PORT@/x)"), CHAPTER,
         "[a link](//", "the address '//127.0.0.1:"),
    Case("relative_link_to_a_file", chapter("[a link](other.html)"), CHAPTER, "[a link](other",
         "the address 'other.html'"),
    Case("event_handler_on_span", chapter('[text]{onmouseover="alert(1)"}'), CHAPTER,
         "[text]{onmouseover", "an event handler (onmouseover=) on <span>"),
    Case("event_handler_on_heading",
         chapter('## A heading {#a-heading onclick="alert(1)"}'), CHAPTER, "## A heading",
         "an event handler (onclick=) on <section>"),
    Case("event_handler_on_div", chapter('::: {ontoggle="alert(1)"}\ntext\n:::'), CHAPTER,
         "::: {ontoggle", "an event handler (ontoggle=) on <div>"),
    Case("srcset_on_image",
         both(write("figures/figure.png", png(4, 4)),
              chapter('![A figure.](figures/figure.png){srcset="http://127.0.0.1:@PORT@/a 1x"}')),
         CHAPTER, "![A figure.]", "the attribute srcset= on <img>"),
    Case("ping_on_link", chapter('[a link](https://example.org){ping="http://127.0.0.1:@PORT@"}'),
         CHAPTER, "[a link](https", "the attribute ping= on <a>"),
    Case("style_that_positions",
         chapter('[text]{style="position: fixed; top: 0"}'), CHAPTER, "[text]{style",
         "the style 'position: fixed; top: 0' on <span>"),
    Case("raw_html_image_with_onerror",
         chapter('<img src="data:," onerror="fetch(\'http://127.0.0.1:@PORT@\')">'), CHAPTER,
         "<img src=", "raw HTML <img> is not allowed in a chapter"),
    Case("raw_html_comment", chapter("<!-- hidden -->"), CHAPTER, "<!--",
         "raw HTML <!--> is not allowed"),
    Case("raw_html_inline_block", chapter("`<b>x</b>`{=html}"), CHAPTER, "`<b>x</b>`",
         "a raw {=html} block is not allowed"),
    Case("catalogue_javascript_link",
         edit("locale/nl.po", 'msgstr "Kernpunten"', 'msgstr "[Kernpunten](javascript:alert(1))"'),
         "locale/nl.po", "[Kernpunten](javascript", "the address 'javascript:alert(1)'"),
    Case("catalogue_event_handler",
         edit("locale/nl.po", 'msgstr "Kernpunten"', 'msgstr "[Kernpunten]{onclick=alert(1)}"'),
         "locale/nl.po", "{onclick=alert(1)}", "an event handler (onclick=)"),
    Case("perspective_summary_javascript_link",
         # In the Dutch text: an edited English one would also make its translation stale.
         edit(CONFIG, "vat die vrees samen.", "vat [die vrees](javascript:alert(1)) samen."),
         CONFIG, "vat [die vrees]", "the address 'javascript:alert(1)' in <a href=>"),
    Case("document_url_javascript",
         edit(CONFIG, VERSION_LINE, VERSION_LINE + '\nurl = "javascript:alert(1)"'),
         CONFIG, 'url = "javascript', "document.url: must be a web address"),
    Case("document_url_breaks_out_of_an_attribute",
         edit(CONFIG, VERSION_LINE,
              VERSION_LINE + '\nurl = "https://example.org/\\" onmouseover=\\"alert(1)"'),
         CONFIG, 'url = "https', "document.url: must be a web address"),

    # 5. Inputs that would hang a reader ---------------------------------------------------
    Case("named_pipe_as_listed_chapter", fifo(CHAPTER), CONFIG, '"01-introduction"',
         "chapter '01-introduction' is not a regular file"),
    Case("named_pipe_as_unlisted_chapter", fifo("chapters/99-pipe.md.j2"),
         "chapters/99-pipe.md.j2", None, "a named pipe (FIFO), not a regular file"),
    Case("named_pipe_as_seed", fifo("seeds/zz-pipe.yaml"), "seeds/zz-pipe.yaml", None,
         "a named pipe (FIFO), not a regular file"),
    Case("named_pipe_as_bibliography", fifo(BIB), BIB, None, "a named pipe (FIFO)"),
    Case("named_pipe_as_analysis", fifo(ANALYSIS), ANALYSIS, None, "a named pipe (FIFO)"),
    Case("named_pipe_as_settings", fifo(CONFIG), CONFIG, None, "a named pipe (FIFO)"),
    Case("named_pipe_as_catalogue", fifo("locale/nl.po"), "locale/nl.po", None,
         "a named pipe (FIFO)"),
    Case("named_pipe_as_style", fifo(CSL), CSL, None, "a named pipe (FIFO)"),
    Case("style_is_link_to_dev_zero", link(CSL, "/dev/zero"), CONFIG,
         'style = "bib/chicago-author-date.csl"', "bibliography.style "
         "'bib/chicago-author-date.csl' is a link to a file outside the project"),
    Case("named_pipe_after_a_good_build", fifo(SEED), SEED, None, "a named pipe (FIFO)",
         setup="manifest"),
    Case("folder_as_seed", make_directory(SEED), SEED, None, "a folder, not a regular file"),

    # 6. Unbounded work --------------------------------------------------------------------
    Case("misquote_in_a_4_mb_paragraph", write("seeds/zz-huge.yaml", MISQUOTE_SEED),
         "seeds/zz-huge.yaml", "      text: \"woord en nog een ander", "misquote",
         hint="closest passage"),
    Case("image_of_one_gib",
         both(sparse("figures/figure.png", 1 << 30, png(4, 4)), SHOWN),
         "figures/figure.png", None, "passes limits.image_mib (16 MiB)"),
    Case("image_of_ten_gigapixels", both(write("figures/figure.png", png(100_000, 100_000)),
                                         SHOWN),
         "figures/figure.png", None, "passes limits.image_megapixels (40)"),
    Case("catalogue_of_100_mb", sparse("locale/nl.po", 100 << 20), "locale/nl.po", 1,
         "passes limits.input_mib (4 MiB)"),
    Case("limit_is_infinite", append(CONFIG, "\n[limits]\npandoc_seconds = inf\n"), CONFIG,
         "pandoc_seconds = inf", "limits.pandoc_seconds: Input should be a finite number"),
    Case("limit_is_1e300", append(CONFIG, "\n[limits]\nweasyprint_memory_mib = 1e300\n"),
         CONFIG, "weasyprint_memory_mib = 1e300", "should be less than or equal to 65536"),

    # 7. All outputs or none ---------------------------------------------------------------
    Case("last_output_is_a_folder", make_directory("build/briefing.nl.json"),
         "build/briefing.nl.json", None, "briefing.nl.json exists and is not a regular file"),

    # 8. No internal error from any input ------------------------------------------------
    Case("toml_integer_of_5000_digits", append(CONFIG, "\n[limits]\nnesting = " + "9" * 5000),
         CONFIG, "nesting = 999", "Exceeds the limit (4300 digits)"),
    Case("toml_limit_too_large", append(CONFIG, "\n[limits]\nnesting = 10000000000\n"), CONFIG,
         "nesting = 1000", "limits.nesting: Input should be less than or equal to 200"),
    Case("toml_arrays_3000_deep", append(CONFIG, "\nextra = " + nested(3000, "[", "]")),
         CONFIG, "extra = [[[", "nested more than 16 levels deep"),
    Case("toml_inline_tables_3000_deep",
         append(CONFIG, "\nextra = " + "{a = " * 3000 + "1" + "}" * 3000), CONFIG,
         "extra = {a", "nested more than 16 levels deep"),
    Case("toml_dotted_key_3000_deep", append(CONFIG, "\n" + ".".join(["a"] * 3000) + " = 1\n"),
         CONFIG, "a.a.a.a", "nested more than 16 levels deep"),
    Case("toml_date_in_year_9999", edit(CONFIG, DATE_LINE, "date = 9999-12-31"),
         CONFIG, "date = 9999", "document.date: must lie between 1980-01-01 and 2099-12-31"),
    Case("yaml_flow_3000_deep", edit(ANALYSIS, "timeline:\n", "extra: " + nested(3000, "[", "]")
                                     + "\ntimeline:\n"),
         ANALYSIS, "extra: [[[", "values nested more than 40 levels deep"),
    Case("yaml_block_2000_deep", write("seeds/zz-deep.yaml", DEEP_SEED), "seeds/zz-deep.yaml",
         41, "values nested more than 40 levels deep"),
    Case("yaml_integer_of_5000_digits",
         edit(SEED, "      para: 1\n      text: \"In China is die",
              "      para: " + "9" * 5000 + "\n      text: \"In China is die"),
         SEED, "      para: 999", "an integer of 5000 digits", hint="shorter number"),
    Case("yaml_impossible_date", edit(ANALYSIS, '  - when: "2012"', "  - when: 2012-02-30"),
         ANALYSIS, "when: 2012-02-30", "'2012-02-30' is not a real date",
         hint="a date that exists"),
    Case("yaml_merge_key", edit(SEED, "  reporter: nos\n", "  reporter: nos\n  <<: {x: 1}\n"),
         SEED, "  id: nos2018", "YAML merge keys (<<) are not allowed"),
    Case("chapter_link_loop", link("chapters/loop.md.j2", "loop.md.j2"), "chapters/loop.md.j2",
         None, "a symbolic link loop"),
    Case("source_date_epoch_too_large", lambda project, world: None, "briefing", None,
         "SOURCE_DATE_EPOCH='99999999999' is not a whole number of seconds between 1970 "
         "and 2099", env={"SOURCE_DATE_EPOCH": "99999999999"}),
    Case("source_date_epoch_superscript", lambda project, world: None, "briefing", None,
         "SOURCE_DATE_EPOCH='²' is not a whole number", env={"SOURCE_DATE_EPOCH": "²"}),
    Case("catalogue_bare_percent", edit("locale/nl.po", 'msgstr "Kernpunten"',
                                        'msgstr "Kernpunten: 50%"'),
         "locale/nl.po", 'msgstr "Kernpunten: 50%"', "the msgstr is not a valid format string",
         hint="%%"),
    Case("catalogue_bare_percent_in_engine_word", po_entry("Contents", "Inhoud %"),
         "locale/nl.po", 'msgstr "Inhoud %"', "the msgstr is not a valid format string"),
    Case("style_is_csl_without_citation",
         write(CSL, '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
                    'class="in-text" version="1.0"><info/></style>\n'),
         CSL, 1, "CSL style without a <citation> element"),

    # 9. Exports and metadata -------------------------------------------------------------
    Case("title_with_a_line_break", edit(CONFIG, TITLE, 'title.en = "Scoring\\nCitizens"'),
         CONFIG, 'title.en = "Scoring\\n', "document.title: a line break in a one-line text"),
    Case("version_with_a_line_break", edit(CONFIG, VERSION_LINE,
                                           'version = "0.1\\nTY  - JOUR"'),
         CONFIG, 'version = "0.1\\n', "document.version: a line break in a one-line text"),
    Case("title_with_a_noncharacter", edit(CONFIG, TITLE, 'title.en = "Scoring\\uFFFF"'),
         CONFIG, 'title.en = "Scoring\\uFFFF"', "the noncharacter U+FFFF in document.title.en"),
    Case("title_with_a_line_separator", edit(CONFIG, TITLE, 'title.en = "Scoring\u2028Citizens"'),
         CONFIG, 'title.en = "Scoring', "a line separator (U+2028) in file"),
    Case("organisation_with_a_control_escape",
         edit(CONFIG, 'organisation.en = "The briefing project"',
              'organisation.en = "Briefing\\u0007"'),
         CONFIG, 'organisation.en = "Briefing',
         "control character U+0007 in document.organisation.en"),
    Case("author_with_a_line_break", edit(CONFIG, VERSION_LINE,
                                          VERSION_LINE + '\nauthors = ["Doe\\nAU  - X"]'),
         CONFIG, "authors = ", "a line break in a one-line text"),
    Case("bibtex_quoted_value_smuggles_fields",
         append(BIB, '\n@misc{smuggler,\n  title = "x}, url = {http://127.0.0.1:@PORT@}, '
                     'note = {",\n  year = {2020}\n}\n'),
         BIB, "@misc{smuggler,", "field 'title' of 'smuggler' has unbalanced braces"),
    Case("yaml_escape_makes_a_noncharacter",
         edit(SEED, '  title: "Big Brother 2.0', '  title: "\\uFFFF Big Brother 2.0'),
         SEED, '  title: "\\uFFFF', "the noncharacter U+FFFF in a value"),
    Case("catalogue_escape_makes_a_control_character",
         edit("locale/nl.po", 'msgstr "Kernpunten"', 'msgstr "Kern\\tpunten\\u0007"'),
         "locale/nl.po", 'msgstr "Kern', "unknown escape \\u"),

    # 10. Silent acceptance and wrong places ----------------------------------------------
    Case("text_file_named_png", both(write("figures/figure.png", "not an image\n"), SHOWN),
         "figures/figure.png", None, "not a PNG image: its content is no image"),
    Case("truncated_png", both(write("figures/figure.png", png(40, 40, truncate=60)), SHOWN),
         "figures/figure.png", None, "image cannot be decoded"),
    Case("jpeg_named_png", both(write("figures/figure.png", b"\xff\xd8\xff\xe0" + b"\0" * 64),
                                SHOWN),
         "figures/figure.png", None, "not a PNG image: its content is JPEG"),
    Case("svg_with_entities", both(write("figures/figure.svg", SVG_ENTITIES),
                                   chapter("![A figure.](figures/figure.svg)")),
         "figures/figure.svg", None, "SVG with a DTD or entities"),
    Case("svg_with_a_script", both(write("figures/figure.svg", SVG_SCRIPT),
                                   chapter("![A figure.](figures/figure.svg)")),
         "figures/figure.svg", None, "SVG with a <script> element"),
    Case("svg_that_loads_a_url", both(write("figures/figure.svg", SVG_REMOTE),
                                      chapter("![A figure.](figures/figure.svg)")),
         "figures/figure.svg", None, "SVG that refers to 'http://127.0.0.1"),
    Case("image_from_a_url_by_reference",
         chapter("![A figure.][fig]\n\n[fig]: http://127.0.0.1:@PORT@/a.png"), CHAPTER,
         "[fig]: http", "refused to load 'http://127.0.0.1:"),
    Case("duplicate_heading_id", chapter("## Again {#key-points}\n\nText."), CHAPTER,
         "## Again {#key-points}", "pandoc (HTML): Duplicate identifier 'key-points'",
         hint="of its own"),
    Case("catalogue_unterminated_string",
         edit("locale/nl.po", 'msgstr "Kernpunten"', 'msgstr "Kernpunten'),
         "locale/nl.po", 'msgstr "Kernpunten', "invalid PO file", hint="continuation"),
    Case("catalogue_duplicate_message", po_entry("Key points", "Hoofdpunten"), "locale/nl.po",
         'msgid "Key points"\nmsgstr "Hoofdpunten"',
         "the message 'Key points' is given twice (first on line 21)"),
    Case("catalogue_unknown_keyword", append("locale/nl.po", '\nmsgidd "x"\nmsgstr "y"\n'),
         "locale/nl.po", 'msgidd "x"', "invalid PO file"),
    Case("style_pandoc_cannot_use",
         write(CSL, '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
                    'class="in-text" version="1.0"><citation><layout><foo/></layout>'
                    '</citation></style>\n'),
         CSL, None, "pandoc cannot use the CSL style"),
]
# --- The argument base speaks for each perspective honestly (issue 16) ---------------------
FIDELITY = [
    Case("comparison_cell_rests_on_another_perspective",
         edit(ANALYSIS, "        claims: [trust-shi-background-checks, trust-end-distrust]\n"
                        "        see: [privacy-pervasive-information]\n",
              "        claims: [trust-shi-background-checks, trust-end-distrust, "
              "privacy-pervasive-information]\n"),
         ANALYSIS, "claims: [trust-shi-background-checks, trust-end-distrust, privacy",
         "comparison 'interests': the 'trust' cell rests on claim 'privacy-pervasive-information',"
         " which is of perspective 'privacy'", hint="'see:'"),
    Case("comparison_cell_rests_on_a_background_fact",
         edit(ANALYSIS, "        claims: [receptor-different-not-wrong]\n"
                        "        see: [scs-privacy-less-an-issue]\n",
              "        claims: [receptor-different-not-wrong, scs-privacy-less-an-issue]\n"),
         ANALYSIS, "claims: [receptor-different-not-wrong, scs-privacy",
         "the 'receptor' cell rests on claim 'scs-privacy-less-an-issue', which is background"),
    Case("paraphrase_without_its_speaker",
         edit(SEED, "      para: 12\n      words_of: nos\n", "      para: 12\n"),
         SEED, "    quote:\n      para: 12", "quote of claim 'trust-shi-background-checks': whose "
         "words are these?", hint="words_of: nos"),
]
CASES += ROUND_TWO + FIDELITY
