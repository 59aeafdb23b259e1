"""Readers for the container formats students upload: ZIP (docx, odt), OLE2, PDF and RTF."""
