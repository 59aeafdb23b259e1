"""Spell checking rules and the spellcheck use case: plain Python, no I/O."""
