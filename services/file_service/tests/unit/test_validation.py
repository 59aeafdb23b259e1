"""validate_file: every problem becomes a RejectedFile with a precise code, in the right order."""

from __future__ import annotations

import hashlib
import random
import unicodedata

import pytest

from common_core.errors import ErrorCode
from file_service.domain import (
    AcceptedFile,
    FileType,
    RejectedFile,
    ValidationLimits,
    sanitize_filename,
    validate_file,
)
from file_service.domain import validation as validation_module
from huleedu_testing.sample_files import (
    corrupt_docx_bytes,
    docx_bytes,
    encrypted_docx_bytes,
    encrypted_pdf_bytes,
    essay_text,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    rtf_bytes,
    scanned_pdf_bytes,
    txt_bytes,
    zip_bomb_docx_bytes,
)

pytestmark = pytest.mark.unit

LIMITS = ValidationLimits()
ESSAY = essay_text("sv", 400, header="Namn: Åsa Öberg\nKlass: NA22b")


def accepted(filename: str, data: bytes, limits: ValidationLimits = LIMITS) -> AcceptedFile:
    result = validate_file(filename, data, limits)
    assert isinstance(result, AcceptedFile), result
    return result


def rejected(filename: str, data: bytes, limits: ValidationLimits = LIMITS) -> RejectedFile:
    result = validate_file(filename, data, limits)
    assert isinstance(result, RejectedFile), result
    assert result.file_size_bytes == len(data)
    return result


class TestAccepted:
    def test_docx_essay_with_every_field(self) -> None:
        data = docx_bytes(ESSAY)
        result = accepted("uppsats.docx", data)
        assert result.filename == "uppsats.docx"
        assert result.file_type is FileType.DOCX
        assert result.data == data
        assert result.text == ESSAY
        assert result.content_sha256 == hashlib.sha256(data).hexdigest()
        assert result.file_size_bytes == len(data)
        assert result.char_count == len(ESSAY)
        assert result.word_count == len(ESSAY.split())

    @pytest.mark.parametrize(
        ("filename", "build", "file_type"),
        [
            ("a.odt", odt_bytes, FileType.ODT),
            ("a.rtf", rtf_bytes, FileType.RTF),
            ("a.md", lambda text: txt_bytes(text, "utf-8"), FileType.MD),
            ("a.txt", lambda text: txt_bytes(text, "utf-16"), FileType.TXT),
            ("a.txt", lambda text: txt_bytes(text, "cp1252", newline="\r\n"), FileType.TXT),
        ],
    )
    def test_every_format_yields_the_same_text(self, filename, build, file_type) -> None:
        result = accepted(filename, build(ESSAY))
        assert result.file_type is file_type
        assert result.text == ESSAY

    def test_pdf_renamed_docx_is_accepted_as_pdf(self) -> None:
        result = accepted("uppsats.docx", pdf_bytes(ESSAY))
        assert result.file_type is FileType.PDF
        assert result.text.startswith("Namn: Åsa Öberg\nKlass: NA22b\n")

    def test_owner_password_only_pdf_is_accepted(self) -> None:
        result = accepted("a.pdf", encrypted_pdf_bytes(ESSAY, "lärare", owner_only=True))
        assert result.file_type is FileType.PDF

    def test_hash_is_of_the_raw_bytes_so_encodings_differ(self) -> None:
        utf8 = accepted("a.txt", txt_bytes(ESSAY, "utf-8"))
        utf16 = accepted("a.txt", txt_bytes(ESSAY, "utf-16"))
        assert utf8.text == utf16.text
        assert utf8.content_sha256 != utf16.content_sha256

    def test_filename_is_sanitised(self) -> None:
        result = accepted("../../elever/\u202eÅsa.docx", docx_bytes(ESSAY))
        assert result.filename == "Åsa.docx"


class TestRejected:
    @pytest.mark.parametrize(
        ("filename", "data", "code"),
        [
            ("a.pdf", encrypted_pdf_bytes(ESSAY, "hemligt"), ErrorCode.PASSWORD_PROTECTED),
            ("a.docx", encrypted_docx_bytes(), ErrorCode.PASSWORD_PROTECTED),
            ("a.pdf", scanned_pdf_bytes(), ErrorCode.NO_EXTRACTABLE_TEXT),
            ("a.docx", corrupt_docx_bytes(), ErrorCode.CORRUPT_FILE),
            ("a.txt", png_bytes(), ErrorCode.UNSUPPORTED_FILE_TYPE),
            ("a.exe", txt_bytes(ESSAY, "utf-8"), ErrorCode.UNSUPPORTED_FILE_TYPE),
        ],
    )
    def test_problem_files(self, filename: str, data: bytes, code: ErrorCode) -> None:
        assert rejected(filename, data).code is code

    def test_zip_bomb(self) -> None:
        result = rejected("a.docx", zip_bomb_docx_bytes())
        assert result.code is ErrorCode.ARCHIVE_BOMB

    def test_empty_file(self) -> None:
        result = rejected("a.txt", b"")
        assert (result.code, result.message) == (
            ErrorCode.EMPTY_FILE,
            "The file is empty (0 bytes).",
        )

    @pytest.mark.parametrize(
        "data", [b"   \r\n\t\n", txt_bytes("  \n \n", "utf-16"), b"\xef\xbb\xbf"]
    )
    def test_whitespace_only_file(self, data: bytes) -> None:
        result = rejected("a.txt", data)
        assert result.code is ErrorCode.EMPTY_FILE
        assert result.message == "The file contains only blank space."

    def test_too_short(self) -> None:
        result = rejected("a.txt", b"Jag tycker att skolan borde ha mer rast.")
        assert result.code is ErrorCode.CONTENT_TOO_SHORT
        assert result.message == "The essay has 40 characters; at least 200 are needed."

    def test_too_long(self) -> None:
        text = ("ord " * 15_001)[:60_001]
        result = rejected("a.txt", text.encode())
        assert result.code is ErrorCode.CONTENT_TOO_LONG
        assert result.message == "The essay has 60,001 characters; at most 60,000 are allowed."

    def test_too_long_docx(self) -> None:
        result = rejected("a.docx", docx_bytes(essay_text("en", 12_000)))
        assert result.code is ErrorCode.CONTENT_TOO_LONG

    def test_too_large_is_decided_before_any_parsing(self) -> None:
        data = png_bytes() + bytes(LIMITS.max_file_bytes)
        result = rejected("a.txt", data)
        assert result.code is ErrorCode.FILE_TOO_LARGE
        assert result.message == (
            f"The file is 10.0 MB ({len(data):,} bytes); files may be at most "
            "10.0 MB (10,485,760 bytes)."
        )

    def test_parser_bug_becomes_corrupt_file(self, monkeypatch) -> None:
        def explode(*_args: object) -> str:
            raise RecursionError("deeply nested")

        monkeypatch.setattr(validation_module, "extract_text", explode)
        result = rejected("a.docx", docx_bytes(ESSAY))
        assert result.code is ErrorCode.CORRUPT_FILE
        assert result.message == (
            "The file is damaged and its text could not be read; save it again and upload it."
        )


class TestLimitsAreInclusive:
    def test_exactly_min_and_max_chars(self) -> None:
        limits = ValidationLimits(min_chars=10, max_chars=20)
        assert accepted("a.txt", b"x" * 10, limits).char_count == 10
        assert accepted("a.txt", b"x" * 20, limits).char_count == 20
        assert rejected("a.txt", b"x" * 9, limits).code is ErrorCode.CONTENT_TOO_SHORT
        assert rejected("a.txt", b"x" * 21, limits).code is ErrorCode.CONTENT_TOO_LONG

    def test_exactly_max_file_bytes(self) -> None:
        limits = ValidationLimits(max_file_bytes=300, min_chars=1)
        assert accepted("a.txt", b"y" * 300, limits).file_size_bytes == 300
        assert rejected("a.txt", b"y" * 301, limits).code is ErrorCode.FILE_TOO_LARGE


class TestNeverRaises:
    @pytest.mark.parametrize(
        "data",
        [docx_bytes(ESSAY), odt_bytes(ESSAY), pdf_bytes(ESSAY), rtf_bytes(ESSAY)],
        ids=["docx", "odt", "pdf", "rtf"],
    )
    def test_truncated_and_scrambled_files(self, data: bytes) -> None:
        rng = random.Random(7)
        variants = [data[:cut] for cut in (1, 4, 30, 100, len(data) // 3, len(data) - 1)]
        for _ in range(10):
            scrambled = bytearray(data)
            for _ in range(20):
                scrambled[rng.randrange(len(scrambled))] = rng.randrange(256)
            variants.append(bytes(scrambled))
        for variant in variants:
            assert isinstance(validate_file("a.docx", variant, LIMITS), AcceptedFile | RejectedFile)


class TestSanitizeFilename:
    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("uppsats.docx", "uppsats.docx"),
            ("/home/elev/Åsa Öberg.docx", "Åsa Öberg.docx"),
            ("C:\\Users\\elev\\Mina dokument\\Älgar.txt", "Älgar.txt"),
            ("a\x00b\x1fc\x7f.txt", "abc.txt"),
            ("rapport\u202egpj.exe", "rapportgpj.exe"),
            ("  två   mellanslag \t.pdf ", "två mellanslag .pdf"),
            (unicodedata.normalize("NFD", "Åsa.docx"), "Åsa.docx"),
            ("", "unnamed"),
            ("..", "unnamed"),
            ("dir/", "unnamed"),
            ("\x00\x01", "unnamed"),
        ],
    )
    def test_cases(self, raw: str, clean: str) -> None:
        assert sanitize_filename(raw) == clean

    def test_long_names_keep_their_extension(self) -> None:
        clean = sanitize_filename("å" * 300 + ".docx")
        assert len(clean) == 255
        assert clean == "å" * 250 + ".docx"

    def test_long_names_without_extension(self) -> None:
        assert sanitize_filename("x" * 300) == "x" * 255
