"""The hostile inputs: each one mutation of a clean, built copy of the real briefing.

A case says what to break, which file and line the one error message must name, the
words it must contain, and (optionally) words its hint must contain. Placeholders in
mutation text: @SECRET@ (a file outside the project), @OUTSIDE@ (its directory),
@MARKER@ (a file injected code would create), @PORT@ (a listener on 127.0.0.1).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SEED = "seeds/nos-2018-big-brother.yaml"
OTHER_SEED = "seeds/derksen-2016-sociaal-krediet.yaml"
ANALYSIS = "analysis.yaml"
BIB = "bib/briefing.bib"
CSL = "bib/chicago-author-date.csl"
CONFIG = "briefing.toml"
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
         edit(BIB, "  title        = {Big Brother 2.0: in {China} bepaalt je 'sociale score' je "
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
         CHAPTER, "0123456789", "the chapters make more than 8 MiB of Markdown"),
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
    Case("toml_unknown_key", edit(CONFIG, 'version = "0.1"', 'version = "0.1"\ncolour = "red"'),
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
    Case("disk_full", lambda project, world: None, "build/.work/briefing.html", None,
         "cannot write: file too large", hint="free disk space", setup="disk-full"),
]
