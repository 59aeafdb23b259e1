"""detect_file_type: content decides the format, the name only whether plain text is welcome."""

from __future__ import annotations

import io
import zipfile

import pytest

from common_core.errors import ErrorCode
from file_service.domain import FileRejected, FileType, detect_file_type
from file_service.domain.file_types import extension_of
from huleedu_testing.sample_files import (
    corrupt_docx_bytes,
    docx_bytes,
    encrypted_docx_bytes,
    legacy_doc_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    rtf_bytes,
    txt_bytes,
)

pytestmark = pytest.mark.unit

SENTENCE = "Åsa Öberg skrev om älgar och höstens färger"
SUPPORTED = "upload the essay as .docx, .odt, .pdf, .rtf, .txt or .md."


def rejection(data: bytes, filename: str) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        detect_file_type(data, filename)
    return caught.value


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class TestDocumentsByContent:
    @pytest.mark.parametrize(
        ("build", "filename", "expected"),
        [
            (docx_bytes, "essay.docx", FileType.DOCX),
            (odt_bytes, "essay.odt", FileType.ODT),
            (pdf_bytes, "essay.pdf", FileType.PDF),
            (rtf_bytes, "essay.rtf", FileType.RTF),
        ],
    )
    def test_each_format_is_recognised(self, build, filename, expected) -> None:
        assert detect_file_type(build(SENTENCE), filename) is expected

    @pytest.mark.parametrize(
        ("build", "filename", "expected"),
        [
            (pdf_bytes, "essay.docx", FileType.PDF),
            (docx_bytes, "essay.txt", FileType.DOCX),
            (odt_bytes, "essay.pdf", FileType.ODT),
            (rtf_bytes, "essay.md", FileType.RTF),
            (pdf_bytes, "essay", FileType.PDF),
            (docx_bytes, "essay.exe", FileType.DOCX),
        ],
    )
    def test_content_wins_over_the_extension(self, build, filename, expected) -> None:
        assert detect_file_type(build(SENTENCE), filename) is expected

    def test_pdf_header_after_leading_junk_is_still_a_pdf(self) -> None:
        data = b"\x00\x01junk from a mail client\n" + pdf_bytes(SENTENCE)
        assert detect_file_type(data, "essay.pdf") is FileType.PDF

    def test_rtf_after_a_utf8_bom_and_blank_line(self) -> None:
        assert detect_file_type(b"\xef\xbb\xbf\r\n" + rtf_bytes(SENTENCE), "a.rtf") is FileType.RTF


class TestPlainText:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
    def test_every_encoding_is_text(self, encoding: str) -> None:
        assert detect_file_type(txt_bytes(SENTENCE, encoding), "essay.txt") is FileType.TXT

    @pytest.mark.parametrize(
        ("filename", "expected"),
        [
            ("essay.md", FileType.MD),
            ("ESSAY.MARKDOWN", FileType.MD),
            ("essay.txt", FileType.TXT),
            ("essay.text", FileType.TXT),
            ("essay", FileType.TXT),
            ("essay.docx", FileType.TXT),
            ("essay.pdf", FileType.TXT),
        ],
    )
    def test_text_is_welcome_under_supported_names(self, filename: str, expected) -> None:
        assert detect_file_type(txt_bytes(SENTENCE, "utf-8"), filename) is expected

    @pytest.mark.parametrize("extension", ["exe", "csv", "html", "doc", "py"])
    def test_text_under_other_names_is_refused(self, extension: str) -> None:
        error = rejection(txt_bytes(SENTENCE, "utf-8"), f"essay.{extension}")
        assert error.code is ErrorCode.UNSUPPORTED_FILE_TYPE
        assert error.message == f"Files ending in .{extension} are not supported; {SUPPORTED}"


class TestRefusedContent:
    @pytest.mark.parametrize(
        ("data", "kind"),
        [
            (png_bytes(), "a PNG image"),
            (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "a JPEG image"),
            (b"GIF89a\x01\x00\x01\x00" + bytes(16), "a GIF image"),
            (b"\x00\x00\x00\x18ftypheic" + bytes(32), "a photo or video (HEIC/MP4)"),
            (b"\x7fELF\x02\x01\x01" + bytes(64), "a program"),
        ],
    )
    def test_known_binaries_renamed_txt_are_refused(self, data: bytes, kind: str) -> None:
        error = rejection(data, "essay.txt")
        assert error.code is ErrorCode.UNSUPPORTED_FILE_TYPE
        assert error.message == f"The file is {kind}, not a text document; {SUPPORTED}"

    def test_unknown_binary_is_refused(self) -> None:
        error = rejection(bytes(range(256)) * 4, "essay.txt")
        assert error.code is ErrorCode.UNSUPPORTED_FILE_TYPE
        assert error.message == f"The file is not a text document; {SUPPORTED}"

    def test_text_with_many_control_bytes_is_binary(self) -> None:
        data = b"Hej\x01\x02\x03\x04 " * 50
        assert rejection(data, "essay.txt").code is ErrorCode.UNSUPPORTED_FILE_TYPE

    def test_zip_that_is_not_a_document(self) -> None:
        error = rejection(zip_bytes({"notes.txt": b"hello"}), "essay.docx")
        assert error.code is ErrorCode.UNSUPPORTED_FILE_TYPE
        assert error.message == (
            "The file is a ZIP archive but not a Word (.docx) or OpenDocument text (.odt) "
            f"document; {SUPPORTED}"
        )

    def test_opendocument_spreadsheet_is_not_text(self) -> None:
        data = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
        assert rejection(data, "essay.odt").code is ErrorCode.UNSUPPORTED_FILE_TYPE

    def test_truncated_docx_is_corrupt(self) -> None:
        error = rejection(corrupt_docx_bytes(), "essay.docx")
        assert error.code is ErrorCode.CORRUPT_FILE
        assert error.message.startswith("The document is damaged (its ZIP container")


class TestCompoundFiles:
    def test_password_protected_docx(self) -> None:
        error = rejection(encrypted_docx_bytes(), "essay.docx")
        assert error.code is ErrorCode.PASSWORD_PROTECTED
        assert error.message == (
            "The Word document is password-protected; remove the password "
            "(File > Info > Protect Document) and upload it again."
        )

    def test_legacy_doc_is_unsupported(self) -> None:
        error = rejection(legacy_doc_bytes(), "essay.doc")
        assert error.code is ErrorCode.UNSUPPORTED_FILE_TYPE
        assert error.message.startswith("Old-style Office files (.doc) are not supported")

    def test_truncated_compound_file_is_corrupt(self) -> None:
        error = rejection(encrypted_docx_bytes()[:1500], "essay.docx")
        assert error.code is ErrorCode.CORRUPT_FILE

    def test_compound_file_with_a_looping_directory_chain_is_corrupt(self) -> None:
        data = bytearray(encrypted_docx_bytes())
        # FAT entry of the directory sector (1) points back to itself.
        data[512 + 4 : 512 + 8] = (1).to_bytes(4, "little")
        assert rejection(bytes(data), "essay.docx").code is ErrorCode.CORRUPT_FILE


class TestExtensionOf:
    @pytest.mark.parametrize(
        ("filename", "extension"),
        [
            ("essay.DOCX", "docx"),
            ("C:\\Users\\elev\\uppsats.Txt", "txt"),
            ("dir.v2/essay", ""),
            (".bashrc", ""),
            ("archive.tar.gz", "gz"),
            ("trailing.", ""),
        ],
    )
    def test_extension_of(self, filename: str, extension: str) -> None:
        assert extension_of(filename) == extension
