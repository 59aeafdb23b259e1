"""Rejected files and rejected requests: precise codes, and nothing stored that should not be."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from huleedu_testing import random_id
from huleedu_testing.sample_files import (
    corrupt_docx_bytes,
    docx_bytes,
    encrypted_docx_bytes,
    encrypted_pdf_bytes,
    essay_text,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    scanned_pdf_bytes,
    txt_bytes,
    zip_bomb_docx_bytes,
)
from huleedu_testing.servers import free_port

pytestmark = pytest.mark.integration

# Small limits so "too large" and "too long" files stay small.
LIMITS = {
    "min_chars": 200,
    "max_chars": 6_000,
    "max_file_bytes": 120_000,
    "max_uncompressed_bytes": 5 * 1024 * 1024,
    "max_files_per_upload": 5,
}


def essay(seed: int, words: int = 300) -> str:
    return essay_text("sv", words, header="Namn: Åsa Öberg", seed=seed)


BAD_FILES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "corrupt": ("avbruten.docx", corrupt_docx_bytes, "CORRUPT_FILE"),
    "encrypted_pdf": (
        "låst.pdf",
        lambda: encrypted_pdf_bytes(essay(1), "hemligt"),
        "PASSWORD_PROTECTED",
    ),
    "encrypted_docx": ("låst.docx", encrypted_docx_bytes, "PASSWORD_PROTECTED"),
    "empty": ("tom.txt", lambda: b"", "EMPTY_FILE"),
    "whitespace_only": ("blank.txt", lambda: b" \r\n\t \n\n   ", "EMPTY_FILE"),
    "too_short": (
        "kort.txt",
        lambda: "Jag tycker att skolan är bra.".encode(),
        "CONTENT_TOO_SHORT",
    ),
    "too_long": ("lång.docx", lambda: docx_bytes(essay(2, words=1500)), "CONTENT_TOO_LONG"),
    "too_large": ("stor.txt", lambda: txt_bytes(essay(3) * 80, "utf-8"), "FILE_TOO_LARGE"),
    "bomb": ("bomb.docx", lambda: zip_bomb_docx_bytes(8 * 1024 * 1024), "ARCHIVE_BOMB"),
    "png_as_txt": ("uppsats.txt", lambda: png_bytes(32, 32), "UNSUPPORTED_FILE_TYPE"),
    "scanned_pdf": ("skannad.pdf", scanned_pdf_bytes, "NO_EXTRACTABLE_TEXT"),
}


@pytest.fixture
async def limited(make_stack: Any) -> Any:
    return await make_stack(**LIMITS)


async def assert_nothing_stored(stack: Any) -> None:
    assert await stack.file_rows() == []
    assert await stack.blob_count() == 0
    assert await stack.outbox() == []


# -- files the validator rejects -------------------------------------------------------------


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_a_rejected_file_leaves_only_its_failure_event(limited: Any, case: str) -> None:
    name, build, code = BAD_FILES[case]
    data = build()

    answer = await limited.client.upload([(name, data)])

    assert answer.status == 422, answer.body
    assert answer.error["code"] == code
    [result] = answer.error["details"]["files"]
    assert (result["status"], result["filename"], result["error_code"]) == ("rejected", name, code)
    assert result["message"]
    # No row and no blob for a rejected file ...
    assert await limited.file_rows() == []
    assert await limited.blob_count() == 0
    # ... but exactly one failure event, so the batch can stop waiting for it, and a notice.
    outbox = await limited.outbox()
    assert sorted(row.event_type for row in outbox) == [
        "EssayValidationFailedV1",
        "TeacherNotificationRequestedV1",
    ]
    failed = next(row for row in outbox if row.event_type == "EssayValidationFailedV1")
    assert failed.key == limited.batch_id
    event = failed.decode().data
    assert (event.batch_id, event.file_upload_id) == (limited.batch_id, result["file_upload_id"])
    # On the bus a file is named by its label (its name is often the student's).
    label = f"essay-{result['file_upload_id'][:8]}"
    assert event.error_code == code
    assert event.original_file_name in (label, f"{label}.{name.rsplit('.', 1)[-1].lower()}")
    assert event.file_size_bytes == len(data)
    notice = next(row for row in outbox if row.event_type == "TeacherNotificationRequestedV1")
    assert notice.key == limited.user_id
    assert notice.decode().data.action_required is True


async def test_every_rejection_in_one_upload_with_one_good_file(make_stack: Any) -> None:
    stack = await make_stack(**{**LIMITS, "max_files_per_upload": 20})
    files = [(name, build()) for name, build, _ in BAD_FILES.values()]
    files.append(("bra.odt", odt_bytes(essay(9))))

    answer = await stack.client.upload(files)

    assert answer.status == 201, answer.body
    assert (answer.body["accepted_count"], answer.body["rejected_count"]) == (1, len(BAD_FILES))
    codes = {f["filename"]: f.get("error_code") for f in answer.body["files"]}
    assert codes == {name: code for name, _, code in BAD_FILES.values()} | {"bra.odt": None}
    [row] = await stack.file_rows()
    assert row["original_file_name"] == "bra.odt"
    assert await stack.blob_count() == 2
    assert await stack.outbox_types() == sorted(
        ["EssayValidationFailedV1"] * len(BAD_FILES)
        + [
            "EssayContentProvisionedV1",
            "BatchFileAddedV1",
            "StudentParsingCompletedV1",
            "TeacherNotificationRequestedV1",
        ]
    )


async def test_all_files_rejected_is_a_422_listing_each(limited: Any) -> None:
    answer = await limited.client.upload([("tom.txt", b""), ("skannad.pdf", scanned_pdf_bytes())])
    assert answer.status == 422, answer.body
    assert answer.error["code"] == "VALIDATION_ERROR"
    codes = {f["filename"]: f["error_code"] for f in answer.error["details"]["files"]}
    assert codes == {"tom.txt": "EMPTY_FILE", "skannad.pdf": "NO_EXTRACTABLE_TEXT"}
    assert await limited.file_rows() == []
    assert await limited.blob_count() == 0
    assert (await limited.outbox_types()).count("EssayValidationFailedV1") == 2


async def test_the_same_bytes_twice_in_one_upload(limited: Any) -> None:
    data = docx_bytes(essay(4))
    answer = await limited.client.upload([("första.docx", data), ("kopia.docx", data)])

    assert answer.status == 201, answer.body
    results = answer.files_by_name()
    assert results["första.docx"]["status"] == "accepted"
    assert results["kopia.docx"]["error_code"] == "DUPLICATE_FILE"
    [row] = await limited.file_rows()
    assert row["original_file_name"] == "första.docx"
    types = await limited.outbox_types()
    assert types.count("EssayValidationFailedV1") == 1
    assert types.count("EssayContentProvisionedV1") == 1


async def test_a_file_already_in_the_batch(limited: Any) -> None:
    data = pdf_bytes(essay(5))
    first = await limited.client.upload([("uppsats.pdf", data)])
    assert first.status == 201
    blobs, outbox_before = await limited.blob_count(), await limited.outbox_types()

    again = await limited.client.upload([("samma uppsats.pdf", data)])

    assert again.status == 422, again.body
    assert again.error["code"] == "DUPLICATE_FILE"
    assert len(await limited.file_rows()) == 1
    assert await limited.blob_count() == blobs
    added = list(await limited.outbox_types())
    for event_type in outbox_before:
        added.remove(event_type)
    assert sorted(added) == ["EssayValidationFailedV1", "TeacherNotificationRequestedV1"]


# -- requests refused as a whole ---------------------------------------------------------------


async def test_unknown_and_foreign_batches_look_the_same(limited: Any) -> None:
    other_batch = random_id()
    limited.bos.add_batch(other_batch, user_id=random_id())
    unknown_batch = random_id()
    files = [("uppsats.docx", docx_bytes(essay(6)))]

    foreign = await limited.client.upload(files, batch_id=other_batch)
    unknown = await limited.client.upload(files, batch_id=unknown_batch)

    assert (foreign.status, unknown.status) == (404, 404)
    assert foreign.error["code"] == "BATCH_NOT_FOUND"

    def without_ids(answer: Any, batch_id: str) -> str:
        body = str(answer.body)
        return body.replace(answer.error["correlation_id"], "CID").replace(batch_id, "BATCH")

    assert without_ids(foreign, other_batch) == without_ids(unknown, unknown_batch)
    assert limited.bos.requests_for(other_batch)
    assert limited.bos.requests_for(unknown_batch)
    await assert_nothing_stored(limited)
    listed = await limited.client.list_files(batch_id=other_batch)
    removed = await limited.client.remove(random_id(), batch_id=other_batch)
    assert (listed.status, removed.status) == (404, 404)
    assert listed.error["code"] == removed.error["code"] == "BATCH_NOT_FOUND"


async def test_batch_that_no_longer_accepts_files(limited: Any) -> None:
    limited.bos.set_accepts_files(limited.batch_id, False)
    answer = await limited.client.upload([("uppsats.docx", docx_bytes(essay(7)))])
    assert answer.status == 409
    assert answer.error["code"] == "BATCH_NOT_ACCEPTING_FILES"
    await assert_nothing_stored(limited)


async def test_missing_user_id_or_internal_key(limited: Any) -> None:
    files = [("uppsats.docx", docx_bytes(essay(8)))]
    no_user = await limited.client.upload(files, omit_user=True)
    no_key = await limited.client.upload(files, omit_key=True)
    assert (no_user.status, no_key.status) == (401, 401)
    assert no_user.error["code"] == no_key.error["code"] == "UNAUTHORIZED"
    assert limited.bos.request_count == 0
    await assert_nothing_stored(limited)


async def test_no_files_and_too_many_files(limited: Any) -> None:
    none = await limited.client.upload([])
    wrong_field = await limited.client.upload(
        [("uppsats.txt", txt_bytes(essay(10), "utf-8"))], field_name="file"
    )
    many = [(f"u{n}.txt", txt_bytes(essay(n), "utf-8")) for n in range(6)]
    too_many = await limited.client.upload(many)
    for answer in (none, wrong_field, too_many):
        assert answer.status == 422, answer.body
        assert answer.error["code"] == "VALIDATION_ERROR"
    assert "5" in too_many.error["message"]
    assert none.error["details"] == {"field": "files", "found_fields": ["note"]}
    assert wrong_field.error["details"]["found_fields"] == ["file"]
    # The batch is checked before the body is read (so a foreign batch never costs an upload).
    assert limited.bos.request_count == 3
    await assert_nothing_stored(limited)


async def test_body_over_the_upload_limit(make_stack: Any) -> None:
    limit = 50_000
    stack = await make_stack(max_upload_bytes=limit)
    # Past the limit and the app's multipart allowance (1 MiB) on top of it.
    files = [(f"u{n}.txt", essay(n).encode() * 400) for n in range(2)]
    assert sum(len(data) for _, data in files) > limit + 1024 * 1024
    answer = await stack.client.upload(files)
    assert answer.status == 413, answer.body
    assert answer.error["code"] == "PAYLOAD_TOO_LARGE"
    assert stack.bos.request_count == 0
    await assert_nothing_stored(stack)


async def test_content_service_down_stores_nothing(make_stack: Any) -> None:
    stack = await make_stack(content_service_url=f"http://127.0.0.1:{free_port()}")
    answer = await stack.client.upload([("uppsats.docx", docx_bytes(essay(11)))])
    assert answer.status == 503, answer.body
    assert answer.error["code"] == "SERVICE_UNAVAILABLE"
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.error["details"]["dependency"] == "content_service"
    assert await stack.file_rows() == []
    assert await stack.outbox() == []


# -- removing files ------------------------------------------------------------------------------


async def upload_two(stack: Any) -> tuple[str, str, bytes]:
    keep_data, gone_data = docx_bytes(essay(12)), odt_bytes(essay(13))
    answer = await stack.client.upload([("behåll.docx", keep_data), ("ta bort.odt", gone_data)])
    assert answer.status == 201, answer.body
    results = answer.files_by_name()
    return (
        results["behåll.docx"]["file_upload_id"],
        results["ta bort.odt"]["file_upload_id"],
        (gone_data),
    )


async def test_remove_announces_and_hides_the_file(limited: Any) -> None:
    keep_id, gone_id, _ = await upload_two(limited)
    before = len(await limited.outbox())

    removed = await limited.client.remove(gone_id)

    assert removed.status == 200, removed.body
    assert removed.body["removed"]["file_upload_id"] == gone_id
    listed = await limited.client.list_files()
    assert [f["file_upload_id"] for f in listed.body["files"]] == [keep_id]
    rows = {row["file_upload_id"]: row for row in await limited.file_rows()}
    assert rows[gone_id]["removed_at"] is not None
    assert rows[keep_id]["removed_at"] is None
    new_rows = (await limited.outbox())[before:]
    assert sorted(row.event_type for row in new_rows) == [
        "BatchFileRemovedV1",
        "TeacherNotificationRequestedV1",
    ]
    [event] = [row for row in new_rows if row.event_type == "BatchFileRemovedV1"]
    assert event.key == limited.batch_id
    data = event.decode().data
    assert (data.batch_id, data.user_id, data.file_upload_id) == (
        limited.batch_id,
        limited.user_id,
        gone_id,
    )
    again = await limited.client.remove(gone_id)
    assert again.status == 404
    assert again.error["code"] == "FILE_NOT_FOUND"


async def test_remove_after_processing_started_is_refused(limited: Any) -> None:
    _, gone_id, _ = await upload_two(limited)
    before = len(await limited.outbox())
    limited.bos.set_accepts_files(limited.batch_id, False)

    answer = await limited.client.remove(gone_id)

    assert answer.status == 409
    assert answer.error["code"] == "BATCH_NOT_ACCEPTING_FILES"
    assert await limited.active_file_count() == 2
    assert len(await limited.outbox()) == before


async def test_remove_unknown_file(limited: Any) -> None:
    await upload_two(limited)
    answer = await limited.client.remove(random_id())
    assert answer.status == 404
    assert answer.error["code"] == "FILE_NOT_FOUND"
    assert await limited.active_file_count() == 2


async def test_upload_again_after_removal(limited: Any) -> None:
    _, gone_id, gone_data = await upload_two(limited)
    assert (await limited.client.remove(gone_id)).status == 200

    again = await limited.client.upload([("ta bort.odt", gone_data)])

    assert again.status == 201, again.body
    [result] = again.body["files"]
    assert result["status"] == "accepted"
    assert result["file_upload_id"] != gone_id
    listed = await limited.client.list_files()
    assert result["file_upload_id"] in {f["file_upload_id"] for f in listed.body["files"]}
    assert await limited.active_file_count() == 2
