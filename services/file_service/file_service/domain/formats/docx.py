"""The text blocks of a .docx body, in reading order, including tables and text boxes."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.oxml.xmlchemy import BaseOxmlElement

MAIN_PART = "word/document.xml"
_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_T, _TAB, _PTAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:ptab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN, _TEXT_BOX = qn("w:noBreakHyphen"), qn("w:txbxContent")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Properties hold tab-stop definitions, not tabs; deleted text and the fallback copy of a
# drawing repeat text that is not (or already) in the document.
_SKIPPED = frozenset(
    {qn("w:pPr"), qn("w:rPr"), qn("w:sectPr"), qn("w:sdtPr"), qn("w:del"), _MC_FALLBACK}
)


def docx_blocks(archive: zipfile.ZipFile) -> list[str]:
    """Paragraphs, table rows (cells joined by tabs) and text-box paragraphs, in order."""
    # Only the main part is parsed: python-docx's Document() also parses every style part,
    # which takes several times longer than the text itself and adds nothing to it.
    root = parse_xml(archive.read(MAIN_PART))
    body = root.find(qn("w:body"))
    if body is None:
        raise ValueError("word/document.xml has no body")
    blocks: list[str] = []
    _collect_blocks(body, blocks)
    return blocks


def _collect_blocks(container: BaseOxmlElement, blocks: list[str]) -> None:
    for child in container:
        if child.tag == _P:
            nested: list[str] = []
            blocks.append(_paragraph_text(child, nested))
            blocks.extend(nested)
        elif child.tag == _TBL:
            blocks.extend(_table_rows(child))
        elif child.tag not in _SKIPPED:
            # Content controls, custom XML and tracked insertions wrap ordinary blocks.
            _collect_blocks(child, blocks)


def _table_rows(table: BaseOxmlElement) -> Iterator[str]:
    for row in _rows(table):
        cells: list[str] = []
        for cell in row.iterchildren(_TC):
            cell_blocks: list[str] = []
            _collect_blocks(cell, cell_blocks)
            text = " ".join(block.strip() for block in cell_blocks if block.strip())
            if text:
                cells.append(text)
        yield "\t".join(cells)


def _rows(container: BaseOxmlElement) -> Iterator[BaseOxmlElement]:
    """The table's own rows, also those wrapped in content controls; not nested tables' rows."""
    for child in container:
        if child.tag == _TR:
            yield child
        elif child.tag not in _SKIPPED:
            yield from _rows(child)


def _paragraph_text(paragraph: BaseOxmlElement, nested: list[str]) -> str:
    parts: list[str] = []
    _collect_runs(paragraph, parts, nested)
    return "".join(parts)


def _collect_runs(element: BaseOxmlElement, parts: list[str], nested: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag in (_TAB, _PTAB):
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == _TEXT_BOX:
            _collect_blocks(child, nested)
        elif tag not in _SKIPPED:
            _collect_runs(child, parts, nested)
