"""The model: every input read, validated and typed (briefing.toml, seeds, analysis.yaml,
the bibliography, catalogues, release records), each problem at its file and line."""
