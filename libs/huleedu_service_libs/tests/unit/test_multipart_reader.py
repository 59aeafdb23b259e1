"""The strict multipart reader: every part as sent, or a message naming the part and fault."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from werkzeug.exceptions import RequestEntityTooLarge

from huleedu_service_libs.http import (
    DispositionError,
    MalformedMultipart,
    parse_content_disposition,
    parse_form_parts,
    read_form_parts,
)

pytestmark = pytest.mark.unit

BOUNDARY = "----huleeduTestBoundary42"
ESSAY = "Min sommar i Norrland var lång och ljus, och jag lärde mig att paddla kajak.".encode()


def part(disposition: bytes, data: bytes = ESSAY, *, extra: bytes = b"") -> bytes:
    return (
        b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: " + disposition + b"\r\n" + extra
        + b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    )  # fmt: skip


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--" + BOUNDARY.encode() + b"--\r\n"


FIRST = part(b'form-data; name="files"; filename="sommar.txt"')


def malformed(raw: bytes) -> MalformedMultipart:
    with pytest.raises(MalformedMultipart) as caught:
        parse_form_parts(raw, BOUNDARY)
    return caught.value


class TestWellFormedBodies:
    def test_parts_come_back_in_order_with_names_filenames_and_exact_bytes(self) -> None:
        binary = bytes(range(256)) * 3 + b"\r\n--not-the-boundary\r\n"
        raw = body(
            FIRST,
            part(b'form-data; name="note"', b"hej"),
            part('form-data; name="files"; filename="Åsa Öberg.pdf"'.encode(), binary),
        )
        parts = parse_form_parts(raw, BOUNDARY)
        assert [(p.index, p.name, p.filename) for p in parts] == [
            (1, "files", "sommar.txt"),
            (2, "note", None),
            (3, "files", "Åsa Öberg.pdf"),
        ]
        assert parts[0].data == ESSAY
        assert parts[2].data == binary
        assert parts[0].content_type == "application/octet-stream"

    @pytest.mark.parametrize(
        ("disposition", "filename"),
        [
            (
                b'form-data; name="files"; filename="min \\"b\\u00e4sta\\" text.txt"',
                'min "b\\u00e4sta" text.txt',
            ),
            (b"form-data; name=files; filename=uppsats.txt", "uppsats.txt"),
            (b"form-data; name=\"files\"; filename*=UTF-8''%C3%85sa.txt", "Åsa.txt"),
            (b'FORM-DATA;name="files";filename="a.txt";', "a.txt"),
            (b'form-data; name="files";\r\n\tfilename="vikt.txt"', "vikt.txt"),
        ],
    )
    def test_legal_spellings_of_the_header(self, disposition: bytes, filename: str) -> None:
        [only] = parse_form_parts(body(part(disposition)), BOUNDARY)
        assert (only.name, only.filename) == ("files", filename)

    async def test_a_streamed_body_split_anywhere_reads_the_same(self) -> None:
        # Split inside a delimiter, werkzeug alone adds the delimiter's CR to the part's bytes.
        raw = body(
            FIRST,
            part(b'form-data; name="note"', b"line\r\n-\r\n--"),
            part(b'form-data; name="files"; filename="b.txt"', ESSAY * 50),
        )

        async def chunks(size: int) -> AsyncIterator[bytes]:
            for start in range(0, len(raw), size):
                yield raw[start : start + size]

        expected = parse_form_parts(raw, BOUNDARY)
        assert expected[1].data == b"line\r\n-\r\n--"
        for size in range(1, 160):
            assert await read_form_parts(chunks(size), BOUNDARY) == expected, size


class TestMalformedBodies:
    @pytest.mark.parametrize(
        "filename",
        [b'"uppsats\r\nnr 2.txt"', b'"uppsats\nnr 2.txt"', b'"uppsats\rnr 2.txt"'],
    )
    def test_a_raw_line_break_in_a_filename(self, filename: bytes) -> None:
        error = malformed(body(FIRST, part(b'form-data; name="files"; filename=' + filename)))
        assert error.message.startswith("part 2 has a malformed Content-Disposition header: ")
        assert "not closed" in error.message
        assert error.details == {"part": 2, "header": "Content-Disposition"}

    def test_a_raw_quote_in_a_filename(self) -> None:
        raw = body(FIRST, part(b'form-data; name="files"; filename="min "b\xc3\xa4sta" text.txt"'))
        error = malformed(raw)
        assert error.message.startswith("part 2 has a malformed Content-Disposition header: ")
        assert "unescaped quote" in error.message
        assert error.part == 2

    def test_a_filename_that_is_not_utf8(self) -> None:
        error = malformed(body(FIRST, part(b'form-data; name="files"; filename="\xc5sa.txt"')))
        assert error.message == (
            "part 2 has headers that are not valid UTF-8 (filenames must be sent as UTF-8)"
        )
        assert error.details == {"part": 2}

    def test_a_header_line_without_a_name(self) -> None:
        raw = body(part(b'form-data; name="files"; filename="a.txt"', extra=b"X Broken\r\n"))
        error = malformed(raw)
        assert error.message.startswith("part 1 has a malformed header line 'X Broken'")

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            (
                body(
                    FIRST, b"--" + BOUNDARY.encode() + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n"
                ),
                "part 2 has no Content-Disposition header",
            ),
            (
                FIRST + b"--" + BOUNDARY.encode() + b"\r\nContent-Disp",
                "the body ends inside the headers of part 2",
            ),
            (FIRST, "the body ends inside part 1: its closing boundary is missing"),
            (
                b"files=uppsats.txt",
                "the body contains no part that starts with the boundary given in Content-Type",
            ),
        ],
    )
    def test_framing_faults_are_named(self, raw: bytes, message: str) -> None:
        assert malformed(raw).message == message

    def test_more_parts_than_allowed_is_too_large(self) -> None:
        with pytest.raises(RequestEntityTooLarge):
            parse_form_parts(body(FIRST, FIRST, FIRST), BOUNDARY, max_parts=2)


class TestContentDisposition:
    @pytest.mark.parametrize(
        ("header", "reason"),
        [
            ('attachment; name="files"', "its type is 'attachment', not form-data"),
            ('form-data; filename="a.txt"', "it has no name parameter"),
            ('form-data; name="a"; name="b"', "the parameter name is given twice"),
            ('form-data; name="files"; filename', "the parameter filename has no '=value'"),
            ("form-data; name=files; filename=min text.txt", "must be quoted"),
            ('form-data; name="files"; filename="a\x00.txt"', "control character"),
            ("form-data; name=files; filename*=UTF-8''%C5sa.txt", "not valid UTF-8"),
        ],
    )
    def test_each_fault_has_a_reason(self, header: str, reason: str) -> None:
        with pytest.raises(DispositionError) as caught:
            parse_content_disposition(header)
        assert reason in caught.value.reason
