"""The roster CSV out of a teacher's request: media types, limits and multipart extraction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.requests import ClientDisconnect

from api_gateway_service.api.roster_body import csv_of_multipart, read_body, roster_body
from huleedu_service_libs.errors import HuleEduError

BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
CSV = "förnamn;efternamn;e-post\r\nÅsa;Öberg;asa@skola.se\r\n\r\n--not-a-boundary\r\n".encode()


def _part(name: str, content: bytes, filename: str | None = "klasslista.csv") -> bytes:
    disposition = f'form-data; name="{name}"' + (
        f'; filename="{filename}"' if filename is not None else ""
    )
    return (
        (
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )


def _multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _status(caught: pytest.ExceptionInfo[HuleEduError]) -> tuple[int, str]:
    return caught.value.status_code, caught.value.code.value


def test_multipart_with_boundary_and_raw_csv_are_accepted() -> None:
    multipart = roster_body(f"Multipart/Form-Data; boundary={BOUNDARY}", "100", 1000)
    raw = roster_body("text/csv; charset=windows-1252", None, 1000)
    plain = roster_body("text/plain", "10", 1000)

    assert multipart.boundary == BOUNDARY
    assert raw.boundary is None
    assert plain.boundary is None


@pytest.mark.parametrize(
    "content_type", ["application/json", "multipart/form-data", "application/octet-stream", ""]
)
def test_other_media_types_are_415(content_type: str) -> None:
    with pytest.raises(HuleEduError) as caught:
        roster_body(content_type, None, 1000)

    assert _status(caught) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_declared_length_over_the_limit_is_413_and_a_bad_length_400() -> None:
    with pytest.raises(HuleEduError) as too_big:
        roster_body("text/csv", "1001", 1000)
    with pytest.raises(HuleEduError) as not_a_number:
        roster_body("text/csv", "12abc", 1000)

    assert _status(too_big) == (413, "PAYLOAD_TOO_LARGE")
    assert too_big.value.details == {"limit_bytes": 1000}
    assert _status(not_a_number) == (400, "INVALID_REQUEST")


def test_the_file_part_comes_out_byte_for_byte_among_other_fields() -> None:
    body = _multipart(_part("class_name", b"9A", None), _part("file", CSV))

    assert csv_of_multipart(body, BOUNDARY) == CSV


def test_a_plain_form_field_named_file_is_accepted() -> None:
    assert csv_of_multipart(_multipart(_part("file", CSV, None)), BOUNDARY) == CSV


@pytest.mark.parametrize(
    "body",
    [
        _multipart(_part("files", CSV)),
        _multipart(_part("file", CSV), _part("file", CSV)),
        _multipart(),
    ],
)
def test_anything_but_one_file_part_is_422(body: bytes) -> None:
    with pytest.raises(HuleEduError) as caught:
        csv_of_multipart(body, BOUNDARY)

    assert _status(caught) == (422, "VALIDATION_ERROR")
    assert caught.value.details["field"] == "file"


@pytest.mark.parametrize(
    "body",
    [
        _multipart(_part("file", CSV))[:-30],
        b"no boundary at all",
        f"--{BOUNDARY}\r\nContent-Type: text/csv\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
    ],
)
def test_a_malformed_multipart_body_is_400(body: bytes) -> None:
    with pytest.raises(HuleEduError) as caught:
        csv_of_multipart(body, BOUNDARY)

    assert _status(caught) == (400, "INVALID_REQUEST")


def test_a_broken_part_header_is_named() -> None:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="9A\r\nb.csv"'
    body = head.encode() + b"\r\n\r\n" + CSV + f"\r\n--{BOUNDARY}--\r\n".encode()

    with pytest.raises(HuleEduError) as caught:
        csv_of_multipart(body, BOUNDARY)

    assert _status(caught) == (400, "INVALID_REQUEST")
    assert caught.value.message.startswith(
        "The multipart body is malformed: part 1 has a malformed Content-Disposition header"
    )
    assert caught.value.details == {"part": 1, "header": "Content-Disposition"}


async def test_read_body_joins_chunks_within_the_limit() -> None:
    assert await read_body(_chunks(b"ab", b"", b"cd"), 4, 5.0) == b"abcd"


async def test_read_body_stops_past_the_limit_with_413() -> None:
    read: list[int] = []

    async def counted() -> AsyncIterator[bytes]:
        for n in range(100):
            read.append(n)
            yield b"x" * 10

    with pytest.raises(HuleEduError) as caught:
        await read_body(counted(), 25, 5.0)

    assert _status(caught) == (413, "PAYLOAD_TOO_LARGE")
    assert len(read) == 3  # nothing read past the chunk that crossed the limit


async def test_read_body_of_a_client_that_left_is_400() -> None:
    async def gone() -> AsyncIterator[bytes]:
        yield b"a"
        raise ClientDisconnect()

    with pytest.raises(HuleEduError) as caught:
        await read_body(gone(), 100, 5.0)

    assert _status(caught) == (400, "INVALID_REQUEST")
