"""The whole model at once: every input read and checked, every problem gathered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefing.errors import Collector
from briefing.model import load


def test_the_minimal_project_loads_into_a_complete_model(project: Path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    problems = Collector()
    model = load.load(project, problems)
    assert problems.problems == []
    assert isinstance(model, load.Model)
    assert set(model.base.claims) == {"press-confusion", "aim-trust"}
    assert {c.perspective for c in model.base.claims.values()} == {"press", "aim"}
    assert list(model.bib.keys) == ["derksen2016sociaalkrediet"]
    assert [d.id for d in model.analysis.comparison] == ["aim"]
    assert model.coverage.gaps == []
    # The document's date, never the clock.
    assert model.epoch == int(dt.datetime(2025, 1, 15, tzinfo=dt.UTC).timestamp())
    assert [e.id for e in model.editions(None)] == ["en"]


def test_source_date_epoch_overrides_the_document_date(project: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert load.load(project, Collector()).epoch == 1700000000


def test_problems_in_several_inputs_are_reported_together(project: Path, edit):
    edit(project / "bib" / "briefing.bib", "date         = {2016-10-22}",
         "date         = {22-10-2016}")
    (project / "bib" / "style.csl").write_text("<style", "utf-8")
    edit(project / "analysis.yaml", "claims: [aim-trust]\n", "claims: [aim-trust, nope]\n")
    problems = Collector()
    load.load(project, problems)
    found = sorted((Path(p.path).name, p.line, p.message.split(":")[0])
                   for p in problems.problems)
    assert found == [
        ("analysis.yaml", 15, "unknown claim 'nope'"),
        ("briefing.bib", 1, "entry 'derksen2016sociaalkrediet'"),
        ("style.csl", 1, "CSL style is not well-formed XML"),
    ]


def test_a_citation_written_where_a_key_belongs_is_told_to_write_the_key(project: Path, edit):
    edit(project / "analysis.yaml", "    claims: [press-confusion]\ncomparison:",
         '    cite: ["[@derksen2016sociaalkrediet, para. 5]", derksen2016sociaalkrediets]\n'
         "comparison:")
    problems = Collector()
    load.load(project, problems)
    found = [(p.line, p.message, p.hint) for p in problems.problems]
    assert found == [
        (5, "citation key '[@derksen2016sociaalkrediet, para. 5]' is not in the bibliography",
         "write the key alone, derksen2016sociaalkrediet; a source's paragraphs are cited "
         "through the claims that rest on them (claims: [...])"),
        (5, "citation key 'derksen2016sociaalkrediets' is not in the bibliography",
         "did you mean 'derksen2016sociaalkrediet'?"),
    ]


def test_an_unknown_claim_with_no_near_match_lists_the_claims_there(project: Path, edit):
    edit(project / "analysis.yaml", "claims: [aim-trust]\n", "claims: [zz-unrelated]\n")
    edit(project / "analysis.yaml", "    claims: [press-confusion]\ncomparison:",
         "    claims: [qq-other]\ncomparison:")
    problems = Collector()
    load.load(project, problems)
    assert [(p.line, p.message, p.hint) for p in problems.problems] == [
        (5, "unknown claim 'qq-other'", "use a claim id from seeds/: aim-trust, press-confusion"),
        (15, "unknown claim 'zz-unrelated'",
         "use a claim id from seeds/: aim-trust, press-confusion"),
    ]  # in the file's order, whatever order they were found in
