"""The text blocks of an OpenDocument text (.odt), in reading order, read with odfpy."""

from __future__ import annotations

import io
from typing import Any

from odf import opendocument  # type: ignore[import-untyped]

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_PARAGRAPHS = frozenset({(_TEXT, "p"), (_TEXT, "h")})
_TABLE_ROW, _TABLE_CELL = (_TABLE, "table-row"), (_TABLE, "table-cell")
_SPACES, _TAB, _LINE_BREAK = (_TEXT, "s"), (_TEXT, "tab"), (_TEXT, "line-break")
_TEXT_BOX = (_DRAW, "text-box")
# Tracked deletions, comments, footnotes and field declarations are not the essay's text.
_SKIPPED = frozenset(
    {
        (_TEXT, "tracked-changes"),
        (_TEXT, "note"),
        (_OFFICE, "annotation"),
        (_TEXT, "sequence-decls"),
        (_TEXT, "variable-decls"),
        (_TEXT, "user-field-decls"),
        (_OFFICE, "forms"),
    }
)
_TEXT_NODE = 3


def odt_blocks(data: bytes) -> list[str]:
    """Paragraphs and headings, table rows (cells joined by tabs) and text-box paragraphs."""
    document = opendocument.load(io.BytesIO(data))
    if document.text is None:
        raise ValueError("the OpenDocument file has no text body")
    blocks: list[str] = []
    _collect_blocks(document.text, blocks)
    return blocks


def _collect_blocks(container: Any, blocks: list[str]) -> None:
    for child in container.childNodes:
        if child.nodeType == _TEXT_NODE:
            continue
        if child.qname in _PARAGRAPHS:
            nested: list[str] = []
            parts: list[str] = []
            _collect_inline(child, parts, nested)
            blocks.append("".join(parts))
            blocks.extend(nested)
        elif child.qname == _TABLE_ROW:
            blocks.append(_row_text(child))
        elif child.qname not in _SKIPPED:
            # Lists, sections, tables and row groups wrap ordinary blocks.
            _collect_blocks(child, blocks)


def _row_text(row: Any) -> str:
    cells: list[str] = []
    for cell in row.childNodes:
        if cell.nodeType == _TEXT_NODE or cell.qname != _TABLE_CELL:
            continue
        cell_blocks: list[str] = []
        _collect_blocks(cell, cell_blocks)
        text = " ".join(block.strip() for block in cell_blocks if block.strip())
        if text:
            cells.append(text)
    return "\t".join(cells)


def _collect_inline(element: Any, parts: list[str], nested: list[str]) -> None:
    for child in element.childNodes:
        if child.nodeType == _TEXT_NODE:
            parts.append(child.data)
        elif child.qname == _SPACES:
            count = child.getAttrNS(_TEXT, "c")
            parts.append(" " * (int(count) if count else 1))
        elif child.qname == _TAB:
            parts.append("\t")
        elif child.qname == _LINE_BREAK:
            parts.append("\n")
        elif child.qname == _TEXT_BOX:
            _collect_blocks(child, nested)
        elif child.qname not in _SKIPPED:
            _collect_inline(child, parts, nested)
