"""Synthetic briefing projects of the real project's shape, for benchmarks.

    python bench/corpus.py OUT --chapters 40 --refs 200

Each chapter has prose paragraphs with citations (page locators), a table, and claims
with verbatim quotes from numbered source paragraphs (so the quote checker really runs);
perspectives, relations and a bibliography of `--refs` entries. Deterministic: the same
arguments give the same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words("systeem krediet score vertrouwen overheid burger gegevens lijst regels controle "
         "bedrijf markt recht cultuur beleid gedrag privacy toezicht samenleving instelling "
         "bestuur wet onderzoek analyse kader belang risico nadeel voordeel praktijk")
ENGLISH = _words("system credit score trust government citizen data list rules oversight company "
           "market law culture policy behaviour privacy supervision society institution "
           "administration research analysis framework interest risk cost benefit practice "
           "evidence approach reading argument comparison")
PERSPECTIVES = ("alpha", "beta", "gamma")
CLAIMS_PER_CHAPTER = 4
PARAS_PER_SOURCE = 40


def sentence(rng: random.Random, words, n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def generate(out: Path, chapters: int, refs: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for sub in ("chapters", "seeds", "bib"):
        (out / sub).mkdir(parents=True)
    shutil.copy(ROOT / "bib" / "chicago-author-date.csl", out / "bib" / "style.csl")
    shutil.copy(ROOT / "chapters" / "_macros.md.j2", out / "chapters" / "_macros.md.j2")

    keys = [f"ref{i:04d}" for i in range(refs)]
    with (out / "bib" / "briefing.bib").open("w", encoding="utf-8") as bib:
        for i, key in enumerate(keys):
            bib.write(f"@article{{{key},\n  author = {{Author{i}, Ann and Writer{i}, Bo}},\n"
                      f"  title = {{{sentence(rng, ENGLISH, 8)[:-1]}}},\n"
                      f"  journaltitle = {{Journal of {rng.choice(ENGLISH).title()} Studies}},\n"
                      f"  year = {{{1990 + i % 35}}},\n  volume = {{{1 + i % 40}}},\n"
                      f"  pages = {{{10 + i}--{30 + i}}}\n}}\n\n")

    sources = max(1, chapters // 10)
    per_source = -(-chapters // sources)
    chapter_claims: dict[int, list[str]] = {}
    for s in range(sources):
        paragraphs = {p: " ".join(sentence(rng, WORDS, rng.randint(12, 22)) for _ in range(3))
                      for p in range(1, PARAS_PER_SOURCE + 1)}
        lines = [f"source:\n  id: src{s}\n  key: {keys[s % refs]}\n  title: \"Source {s}\"\n"
                 "  language: nl\n  reporter: reporter\n  paragraphs:\n"]
        lines += [f"    {p}: \"{t}\"\n" for p, t in paragraphs.items()]
        lines.append("actors:\n" if s == 0 else "")
        if s == 0:
            lines.append("  - id: reporter\n    name: The Reporter\n    kind: organisation\n")
            lines += [f"  - id: voice{v}\n    name: Voice {v}\n    kind: person\n"
                      for v in range(6)]
        lines.append("claims:\n")
        ids = []
        for c in range(s * per_source, min(chapters, (s + 1) * per_source)):
            for k in range(CLAIMS_PER_CHAPTER):
                cid = f"c{c + 1:03d}-{k}"
                para = rng.randint(1, PARAS_PER_SOURCE)
                words = paragraphs[para].split()
                start = rng.randint(0, len(words) - 8)
                quote = " ".join(words[start:start + 6])
                lines.append(
                    f"  - id: {cid}\n    perspective: {PERSPECTIVES[(c + k) % 3]}\n"
                    f"    kind: fact\n    statement: \"{sentence(rng, ENGLISH, 18)}\"\n"
                    f"    holders: [voice{(c + k) % 6}]\n    cites: [{para}]\n"
                    f"    quote:\n      para: {para}\n      text: \"{quote}\"\n"
                    f"      words_of: voice{(c + k) % 6}\n"  # the voice is quoted directly
                    f"      translation: \"{sentence(rng, ENGLISH, 6)}\"\n")
                ids.append(cid)
                chapter_claims.setdefault(c + 1, []).append(cid)
        lines.append("relations:\n")
        lines += [f"  - from: {a}\n    to: {b}\n    type: {('supports', 'attacks')[i % 2]}\n"
                  for i, (a, b) in enumerate(zip(ids[1:], ids, strict=False))]
        (out / "seeds" / f"src{s}.yaml").write_text("".join(lines), "utf-8")

    names = []
    for c in range(1, chapters + 1):
        name = f"{c:02d}-chapter-{c}" if chapters < 100 else f"{c:03d}-chapter-{c}"
        names.append(name)
        body = ['{% from "_macros.md.j2" import claim_block with context %}\n',
                f"# Chapter {c}: {sentence(rng, ENGLISH, 5)[:-1]}\n\n"]
        for section in range(2):
            body.append(f"## Part {section + 1}\n\n")
            for _ in range(4):
                cites = "; ".join(f"@{rng.choice(keys)}, p. {rng.randint(1, 300)}"
                                  for _ in range(rng.randint(1, 3)))
                body.append(" ".join(sentence(rng, ENGLISH, rng.randint(14, 24))
                                     for _ in range(5)) + f" [{cites}]\n\n")
        body.append("| Aspect | Reading | Weight |\n|:--|:--|--:|\n")
        body += [f"| {rng.choice(ENGLISH)} | {sentence(rng, ENGLISH, 9)} | {rng.randint(1, 9)} |\n"
                 for _ in range(8)]
        body.append("\n## Claims\n\n")
        body += [f'{{{{ claim_block(claims["{cid}"]) }}}}\n\n' for cid in chapter_claims[c]]
        (out / "chapters" / f"{name}.md.j2").write_text("".join(body), "utf-8")

    perspectives = "".join(
        f'\n[perspectives.{p}]\ntitle = "Perspective {p}"\nshort = "{p.title()}"\n'
        f'key_point = "The {p} reading."\nsummary = "What the {p} reading says."\n'
        for p in PERSPECTIVES)
    chapter_list = ",\n".join(f'  "{n}"' for n in names)
    (out / "briefing.toml").write_text(
        f'[document]\ntitle = "Benchmark Briefing ({chapters} chapters)"\n'
        'subtitle = "A synthetic corpus"\norganisation = "Bench"\nversion = "1"\n'
        'date = 2026-01-01\nlanguage = "en-GB"\n'
        'identifier = "urn:uuid:00000000-0000-4000-8000-00000000be4c"\n\n'
        '[bibliography]\nfile = "bib/briefing.bib"\nstyle = "bib/style.csl"\n\n'
        f'[build]\nformats = ["pdf", "epub"]\nchapters = [\n{chapter_list},\n]\n'
        # A 200-chapter corpus is a big document on purpose: lift the bounds for it.
        '\n[limits]\nmarkdown_mib = 64\nweasyprint_seconds = 3600\n'
        'weasyprint_memory_mib = 16384\npandoc_seconds = 1200\n'
        + perspectives, "utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--chapters", type=int, default=40)
    parser.add_argument("--refs", type=int, default=200)
    args = parser.parse_args()
    generate(args.out, args.chapters, args.refs)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
