"""Typer commands, one module per area; each stays a thin layer over api/upload/watch."""
