"""Malformed multipart bodies over real HTTP: a 400 naming the part and fault, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from huleedu_testing.sample_files import docx_bytes, essay_text

from .conftest import FILES_PATH, Answer, FileStack

pytestmark = pytest.mark.integration

BOUNDARY = "fileServiceMalformedBoundary7"


def essay(seed: int) -> bytes:
    return docx_bytes(essay_text("en", 250, header="Name: Tove Sandberg\nClass: SA22c", seed=seed))


def part(disposition: bytes, data: bytes) -> bytes:
    return (
        b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: " + disposition
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    )  # fmt: skip


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--" + BOUNDARY.encode() + b"--\r\n"


async def post_raw(stack: FileStack, raw: bytes, content_type: str | None = None) -> Answer:
    headers = {
        "X-User-ID": stack.user_id,
        "X-Internal-API-Key": stack.settings.internal_api_key,
        "Content-Type": content_type or f"multipart/form-data; boundary={BOUNDARY}",
    }
    path = FILES_PATH.format(batch_id=stack.batch_id)
    return await stack.client._call("POST", path, data=raw, headers=headers)


async def assert_nothing_stored(stack: FileStack) -> None:
    assert await stack.file_rows() == []
    assert await stack.blob_count() == 0
    assert await stack.outbox() == []


GOOD = part(b'form-data; name="files"; filename="tove.docx"', essay(1))
MALFORMED: dict[str, tuple[bytes, str, dict[str, Any]]] = {
    "line_break_in_filename": (
        part(b'form-data; name="files"; filename="tove\r\nsandberg.docx"', essay(2)),
        "The upload body is malformed: part 2 has a malformed Content-Disposition header: "
        "the quoted filename value is not closed (a raw line break or quote inside the "
        "filename?).",
        {"part": 2, "header": "Content-Disposition"},
    ),
    "quote_in_filename": (
        part(b'form-data; name="files"; filename="tove "final" version.docx"', essay(3)),
        "The upload body is malformed: part 2 has a malformed Content-Disposition header: "
        "unexpected 'final\" version.docx\"' after the filename value (an unescaped quote "
        "inside the quoted value?).",
        {"part": 2, "header": "Content-Disposition"},
    ),
    "latin1_filename": (
        part(b'form-data; name="files"; filename="\xd6rjan.docx"', essay(4)),
        "The upload body is malformed: part 2 has headers that are not valid UTF-8 "
        "(filenames must be sent as UTF-8).",
        {"part": 2},
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_malformed_part_header_is_named_and_nothing_is_stored(
    stack: FileStack, case: str
) -> None:
    bad_part, message, details = MALFORMED[case]

    answer = await post_raw(stack, multipart(GOOD, bad_part))

    assert answer.status == 400, answer.body
    assert answer.error["code"] == "INVALID_REQUEST"
    assert answer.error["message"] == message
    assert answer.error["details"] == details
    assert answer.error["service"] == "file_service"
    await assert_nothing_stored(stack)


async def test_a_body_cut_short_says_where_it_ends(stack: FileStack) -> None:
    answer = await post_raw(
        stack, GOOD + part(b'form-data; name="files"; filename="b.docx"', b"")[:-2]
    )
    assert answer.status == 400, answer.body
    assert answer.error["message"] == (
        "The upload body is malformed: the body ends inside part 2: its closing boundary is "
        "missing."
    )
    await assert_nothing_stored(stack)


async def test_a_well_formed_raw_body_with_a_utf8_name_is_accepted(stack: FileStack) -> None:
    name = "Tove Sandberg \u2013 uppsats.docx"
    raw = multipart(part(f'form-data; name="files"; filename="{name}"'.encode(), essay(5)))
    answer = await post_raw(stack, raw)
    assert answer.status == 201, answer.body
    assert answer.body["files"][0]["filename"] == name


async def test_a_body_that_is_not_multipart_is_415_before_the_batch_is_checked(
    stack: FileStack,
) -> None:
    answer = await post_raw(stack, b'{"files": []}', content_type="application/json")
    assert answer.status == 415, answer.body
    assert answer.error["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert stack.bos.request_count == 0
