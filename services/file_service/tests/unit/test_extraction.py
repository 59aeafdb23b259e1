"""extract_text over real files of every format, damaged, locked, textless and hostile ones."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from odf import table, text  # type: ignore[import-untyped]
from odf.opendocument import OpenDocumentText  # type: ignore[import-untyped]

from common_core.errors import ErrorCode
from file_service.domain import FileRejected, FileType, ValidationLimits, extract_text
from huleedu_testing.sample_files import (
    docx_bytes,
    encrypted_pdf_bytes,
    essay_text,
    odt_bytes,
    pdf_bytes,
    rtf_bytes,
    scanned_pdf_bytes,
    txt_bytes,
    zip_bomb_docx_bytes,
)

pytestmark = pytest.mark.unit

LIMITS = ValidationLimits()
SENTENCE = "Åsa Öberg skrev om älgar och höstens färger"
LAYOUT = "Rubrik\n\nFörsta stycket.\nEn ny rad\tmed tabb.\n\nAndra stycket om höstens färger."
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def rejected(data: bytes, file_type: FileType, limits: ValidationLimits = LIMITS) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        extract_text(data, file_type, limits)
    return caught.value


def replace_entry(data: bytes, name: str, content: bytes) -> bytes:
    """The ZIP with one entry's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(
                entry.filename, content if entry.filename == name else source.read(entry)
            )
    return buffer.getvalue()


def docx_with_body(body_xml: str) -> bytes:
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{body_xml}</w:body></w:document>"
    )
    return replace_entry(docx_bytes("placeholder"), "word/document.xml", document.encode())


def run(content: str) -> str:
    return f"<w:r><w:t xml:space='preserve'>{content}</w:t></w:r>"


class TestDocx:
    def test_sentence_round_trips(self) -> None:
        assert extract_text(docx_bytes(SENTENCE), FileType.DOCX, LIMITS) == SENTENCE

    def test_paragraphs_line_breaks_and_tabs_round_trip(self) -> None:
        assert extract_text(docx_bytes(LAYOUT), FileType.DOCX, LIMITS) == LAYOUT

    def test_tables_are_read_in_place_row_by_row(self) -> None:
        document = docx.Document()
        document.add_paragraph("Före tabellen")
        grid = document.add_table(rows=2, cols=3)
        grid.cell(0, 0).text = "Namn"
        grid.cell(0, 1).merge(grid.cell(0, 2)).text = "Åsa Öberg"
        grid.cell(1, 0).text = "Klass"
        grid.cell(1, 1).text = "NA22b"
        document.add_paragraph("Efter tabellen")
        buffer = io.BytesIO()
        document.save(buffer)
        assert extract_text(buffer.getvalue(), FileType.DOCX, LIMITS) == (
            "Före tabellen\n\nNamn\tÅsa Öberg\n\nKlass\tNA22b\n\nEfter tabellen"
        )

    def test_controls_insertions_text_boxes_but_not_deletions(self) -> None:
        body = (
            f"<w:sdt><w:sdtPr><w:alias w:val='Titel'/></w:sdtPr><w:sdtContent>"
            f"<w:p>{run('Titel i kontroll')}</w:p></w:sdtContent></w:sdt>"
            f"<w:p>{run('Jag ')}<w:ins w:id='1' w:author='L'>{run('skrev ')}</w:ins>"
            f"<w:del w:id='2' w:author='L'><w:r><w:delText>raderat </w:delText></w:r></w:del>"
            f"{run('om')}<w:r><w:noBreakHyphen/></w:r>{run('älgar.')}</w:p>"
            f"<w:p>{run('Bild:')}<w:r><mc:AlternateContent><mc:Choice Requires='wps'>"
            f"<w:txbxContent><w:p>{run('Text i ruta')}</w:p></w:txbxContent></mc:Choice>"
            f"<mc:Fallback><w:txbxContent><w:p>{run('Text i ruta')}</w:p></w:txbxContent>"
            f"</mc:Fallback></mc:AlternateContent></w:r></w:p>"
            f"<w:p><w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>"
            f"{run('Slut')}</w:p><w:sectPr/>"
        )
        assert extract_text(docx_with_body(body), FileType.DOCX, LIMITS) == (
            "Titel i kontroll\n\nJag skrev om-älgar.\n\nBild:\n\nText i ruta\n\nSlut"
        )

    def test_document_without_text(self) -> None:
        error = rejected(docx_bytes(""), FileType.DOCX)
        assert error.code is ErrorCode.NO_EXTRACTABLE_TEXT
        assert error.message == (
            "The Word document contains no text; upload the document that contains the essay."
        )

    def test_broken_xml_is_corrupt(self) -> None:
        data = replace_entry(docx_bytes(SENTENCE), "word/document.xml", b"<w:document><w:body>")
        error = rejected(data, FileType.DOCX)
        assert error.code is ErrorCode.CORRUPT_FILE
        assert error.message == (
            "The Word document is damaged and its text could not be read; "
            "open it, save it again and upload it again."
        )

    def test_missing_body_is_corrupt(self) -> None:
        data = replace_entry(
            docx_bytes(SENTENCE), "word/document.xml", f'<w:document xmlns:w="{W_NS}"/>'.encode()
        )
        assert rejected(data, FileType.DOCX).code is ErrorCode.CORRUPT_FILE

    @pytest.mark.parametrize(
        "entity", ['<!ENTITY x "' + "x" * 1000 + '">', '<!ENTITY x SYSTEM "file:///etc/passwd">']
    )
    def test_xml_entities_are_neither_expanded_nor_fetched(self, entity: str) -> None:
        document = (
            f'<?xml version="1.0"?><!DOCTYPE d [{entity}]><w:document xmlns:w="{W_NS}">'
            "<w:body><w:p><w:r><w:t>Text&x;</w:t></w:r></w:p></w:body></w:document>"
        )
        data = replace_entry(docx_bytes(SENTENCE), "word/document.xml", document.encode())
        assert extract_text(data, FileType.DOCX, LIMITS) == "Text"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb_docx_bytes()


class TestArchiveBombs:
    def test_declared_size_over_the_limit(self, bomb: bytes) -> None:
        assert len(bomb) < 200_000
        error = rejected(bomb, FileType.DOCX)
        assert error.code is ErrorCode.ARCHIVE_BOMB
        assert error.message.startswith("The document would unpack to 62,91")

    def test_bomb_is_never_decompressed(self, bomb: bytes, monkeypatch) -> None:
        def refuse(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("an entry was decompressed")

        monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
        assert rejected(bomb, FileType.DOCX).code is ErrorCode.ARCHIVE_BOMB

    def test_compression_ratio_under_the_size_limit(self) -> None:
        small_bomb = zip_bomb_docx_bytes(uncompressed_bytes=5 * 1024 * 1024)
        assert rejected(small_bomb, FileType.DOCX).code is ErrorCode.ARCHIVE_BOMB
        relaxed = ValidationLimits(max_compression_ratio=10_000.0)
        assert extract_text(small_bomb, FileType.DOCX, relaxed) == "Bomb"

    def test_ordinary_document_over_a_tight_limit(self) -> None:
        tight = ValidationLimits(max_uncompressed_bytes=10_000)
        assert rejected(docx_bytes(SENTENCE), FileType.DOCX, tight).code is ErrorCode.ARCHIVE_BOMB

    def test_zip_level_encryption_is_password_protection(self) -> None:
        data = bytearray(docx_bytes(SENTENCE))
        central = data.find(b"PK\x01\x02")
        # General-purpose flag bit 0 of the first central-directory entry: "encrypted".
        data[central + 8] |= 0x01
        error = rejected(bytes(data), FileType.DOCX)
        assert error.code is ErrorCode.PASSWORD_PROTECTED
        assert error.message == "The document is password-protected; upload an unprotected copy."

    def test_odt_is_checked_too(self) -> None:
        tight = ValidationLimits(max_compression_ratio=1.0)
        assert rejected(odt_bytes(SENTENCE), FileType.ODT, tight).code is ErrorCode.ARCHIVE_BOMB


class TestOdt:
    def test_sentence_round_trips(self) -> None:
        assert extract_text(odt_bytes(SENTENCE), FileType.ODT, LIMITS) == SENTENCE

    def test_spaces_tabs_and_line_breaks_round_trip(self) -> None:
        layout = "Två  mellanslag,   tre\toch tabb.\nNy rad."
        assert extract_text(odt_bytes(layout), FileType.ODT, LIMITS) == layout

    def test_headings_lists_tables_in_order_without_notes(self) -> None:
        document = OpenDocumentText()
        document.text.addElement(text.H(outlinelevel=1, text="Min rubrik"))
        items = text.List()
        for label in ("första punkten", "andra punkten"):
            item = text.ListItem()
            item.addElement(text.P(text=label))
            items.addElement(item)
        document.text.addElement(items)
        grid = table.Table()
        row = table.TableRow()
        for value in ("Namn", "Åsa Öberg"):
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        grid.addElement(row)
        document.text.addElement(grid)
        paragraph = text.P(text="Slutet")
        note = text.Note(noteclass="footnote")
        note.addElement(text.NoteCitation(text="1"))
        body = text.NoteBody()
        body.addElement(text.P(text="fotnot"))
        note.addElement(body)
        paragraph.addElement(note)
        document.text.addElement(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        assert extract_text(buffer.getvalue(), FileType.ODT, LIMITS) == (
            "Min rubrik\n\nförsta punkten\n\nandra punkten\n\nNamn\tÅsa Öberg\n\nSlutet"
        )

    def test_document_without_text(self) -> None:
        error = rejected(odt_bytes(""), FileType.ODT)
        assert error.code is ErrorCode.NO_EXTRACTABLE_TEXT
        assert error.message.startswith("The OpenDocument text contains no text")

    def test_broken_content_is_corrupt(self) -> None:
        data = replace_entry(odt_bytes(SENTENCE), "content.xml", b"<office:document-content")
        error = rejected(data, FileType.ODT)
        assert error.code is ErrorCode.CORRUPT_FILE
        assert error.message.startswith("The OpenDocument text is damaged")


class TestPdf:
    def test_sentence_round_trips(self) -> None:
        assert extract_text(pdf_bytes(SENTENCE), FileType.PDF, LIMITS) == SENTENCE

    def test_essay_text_is_extracted(self) -> None:
        essay = essay_text("sv", 300, header="Namn: Åsa Öberg")
        extracted = extract_text(pdf_bytes(essay), FileType.PDF, LIMITS)
        assert extracted.startswith("Namn: Åsa Öberg\nMobilförbud i skolan - en bra idé?\n")
        assert extracted.split() == essay.replace("\u2013", "-").split()

    def test_password_protected(self) -> None:
        error = rejected(encrypted_pdf_bytes(SENTENCE, "hemligt"), FileType.PDF)
        assert error.code is ErrorCode.PASSWORD_PROTECTED
        assert error.message == "The PDF is password-protected; upload an unprotected copy."

    def test_owner_password_only_is_readable(self) -> None:
        data = encrypted_pdf_bytes(SENTENCE, "hemligt", owner_only=True)
        assert extract_text(data, FileType.PDF, LIMITS) == SENTENCE

    def test_scanned_pages_have_no_text(self) -> None:
        error = rejected(scanned_pdf_bytes(), FileType.PDF)
        assert error.code is ErrorCode.NO_EXTRACTABLE_TEXT
        assert error.message == (
            "The PDF contains no text (it looks scanned or made of images); upload the original "
            "document or a PDF exported from a word processor."
        )

    @pytest.mark.parametrize("cut", [b"%PDF-1.7\ngarbage", b"half"])
    def test_damaged_pdf_is_corrupt(self, cut: bytes) -> None:
        data = pdf_bytes(SENTENCE)
        damaged = data[: len(data) // 2] if cut == b"half" else cut
        error = rejected(damaged, FileType.PDF)
        assert error.code is ErrorCode.CORRUPT_FILE
        assert error.message.startswith("The PDF is damaged and its text could not be read")

    def test_reading_stops_once_the_text_is_too_long(self) -> None:
        limits = ValidationLimits(max_chars=500)
        essay = essay_text("en", 2000)
        extracted = extract_text(pdf_bytes(essay), FileType.PDF, limits)
        assert 500 < len(extracted) < len(essay) / 2


class TestRtf:
    def test_sentence_round_trips(self) -> None:
        assert extract_text(rtf_bytes(SENTENCE), FileType.RTF, LIMITS) == SENTENCE

    def test_layout_and_characters_outside_cp1252_round_trip(self) -> None:
        layout = LAYOUT + "\n\n\u201ccitat\u201d \u2013 \u2019x\u2019 \u20ac \u0151"
        assert extract_text(rtf_bytes(layout), FileType.RTF, LIMITS) == layout

    def test_hex_escapes_follow_the_code_page(self) -> None:
        data = rb"{\rtf1\ansi\ansicpg1252{\fonttbl\f0 Arial;}\f0 P\'e5 h\'f6sten\u8217? \'c5}"
        assert extract_text(data, FileType.RTF, LIMITS) == "På hösten\u2019 Å"

    def test_document_without_text(self) -> None:
        data = rb"{\rtf1\ansi{\fonttbl\f0 Arial;}{\*\generator Word;}\par\par}"
        error = rejected(data, FileType.RTF)
        assert error.code is ErrorCode.NO_EXTRACTABLE_TEXT
        assert error.message.startswith("The RTF document contains no text")


class TestPlainText:
    def test_whitespace_is_tidied(self) -> None:
        raw = "\n\n  Rubrik  \n\n\n\n\nStycke\u00a0ett\u200b med\u00adord.\t\n\f\nSlut\n\n"
        tidied = "Rubrik\n\nStycke ett medord.\n\nSlut"
        assert extract_text(raw.encode("utf-8"), FileType.TXT, LIMITS) == tidied

    def test_tabs_inside_lines_are_kept(self) -> None:
        assert extract_text(b"Namn:\tAnna", FileType.MD, LIMITS) == "Namn:\tAnna"

    def test_whitespace_only_gives_empty_text(self) -> None:
        assert extract_text(txt_bytes(" \n\t\n ", "utf-16"), FileType.TXT, LIMITS) == ""


class TestSampleEssays:
    @pytest.mark.parametrize("lang", ["en", "sv"])
    @pytest.mark.parametrize("words", [50, 500, 3000])
    def test_body_has_exactly_the_requested_words(self, lang: str, words: int) -> None:
        essay = essay_text(lang, words, header="Namn: Åsa Öberg", seed=3)
        header, _title, *body = essay.split("\n\n")
        assert header == "Namn: Åsa Öberg"
        assert sum(len(paragraph.split()) for paragraph in body) == words
        assert body[-1].endswith((".", "?", "!"))

    def test_seed_varies_the_order_deterministically(self) -> None:
        assert essay_text("en", 800, seed=1) == essay_text("en", 800, seed=1)
        assert essay_text("en", 800, seed=1) != essay_text("en", 800, seed=2)
