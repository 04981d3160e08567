"""Composing: the model and the chapter templates (Jinja2's sandbox) -> one Pandoc
Markdown document per edition, in its language."""
