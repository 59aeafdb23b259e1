"""A realistic upload end to end: HTTP in, blobs in the Content Service, rows, outbox, Kafka."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest

from common_core.topics import topic_for
from huleedu_service_libs.crypto import KeyRing
from huleedu_testing.sample_files import docx_bytes, odt_bytes, pdf_bytes, rtf_bytes, txt_bytes
from huleedu_testing.sample_files import essay_text as make_essay

pytestmark = pytest.mark.integration

STUDENTS = [
    "Åsa Öberg",
    "Björn Ängström",
    "Märta Ekström",
    "Jörgen Åkesson",
    "Lä Nguyen",
    "Örjan Sjöö",
    "Ella Häggström",
    "Sören Ådahl",
    "Maja Lindbäck",
]
SWEDISH_LETTERS = "åäöÅÄÖ"
MOJIBAKE = ("Ã¥", "Ã¤", "Ã¶", "\ufffd", "\x00")


def essay(n: int) -> str:
    """Student n's Swedish essay with a labelled name header."""
    return make_essay("sv", 300, header=f"Namn: {STUDENTS[n]}\nKlass: NA22b", seed=n)


def realistic_mix() -> list[tuple[str, bytes, str]]:
    """(filename, bytes, the essay text it holds) in every format and text encoding."""
    builders = [
        ("Åsa Öberg uppsats.docx", docx_bytes),
        ("björn_ängström.odt", odt_bytes),
        ("Märta Ekström.pdf", pdf_bytes),
        ("jörgen.rtf", rtf_bytes),
        ("lä.md", lambda t: txt_bytes(t, "utf-8")),
        ("örjan-utf8.txt", lambda t: txt_bytes(t, "utf-8")),
        ("ella-bom.txt", lambda t: txt_bytes(t, "utf-8-sig")),
        ("sören-utf16.txt", lambda t: txt_bytes(t, "utf-16", newline="\r\n")),
        ("maja-ansi.txt", lambda t: txt_bytes(t, "cp1252", newline="\r\n")),
    ]
    return [(name, build(essay(n)), essay(n)) for n, (name, build) in enumerate(builders)]


def words(text: str) -> str:
    """Whitespace-normalised text; PDFs set in Latin-1 carry '-' for typographic dashes."""
    return " ".join(text.replace("\u2013", "-").split())


async def test_realistic_mix_is_stored_recorded_and_announced(stack: Any, kafka: Any) -> None:
    mix = realistic_mix()
    correlation_id = f"it-upload-{stack.batch_id}"

    answer = await stack.client.upload(
        [(name, data) for name, data, _ in mix], correlation_id=correlation_id
    )

    # -- the response: 201, one accepted result per file, in order ----------------------------
    assert answer.status == 201, answer.body
    assert answer.headers["X-Correlation-ID"] == correlation_id
    assert (answer.body["accepted_count"], answer.body["rejected_count"]) == (len(mix), 0)
    results = answer.body["files"]
    assert [r["filename"] for r in results] == [name for name, _, _ in mix]
    assert {r["status"] for r in results} == {"accepted"}
    by_name = answer.files_by_name()
    expected_types = {"docx", "odt", "pdf", "rtf", "md", "txt"}
    assert {r["file_type"] for r in results} == expected_types

    # -- rows: one per file, matching the response --------------------------------------------
    rows = {row["file_upload_id"]: row for row in await stack.file_rows()}
    assert len(rows) == len(mix)
    for name, data, _ in mix:
        result = by_name[name]
        row = rows[result["file_upload_id"]]
        assert (row["batch_id"], row["user_id"]) == (stack.batch_id, stack.user_id)
        assert row["original_file_name"] == name
        assert row["content_sha256"] == hashlib.sha256(data).hexdigest()
        assert row["file_size_bytes"] == len(data)
        assert row["raw_storage_id"] == result["raw_storage_id"]
        assert row["text_storage_id"] == result["text_storage_id"]
        assert row["removed_at"] is None

    # -- blobs: raw bytes exactly, text as UTF-8 with the Swedish letters intact ----------------
    # Content ids are hashes: a UTF-8 .txt/.md whose text is its bytes stores one blob for both.
    blob_ids = {r[k] for r in results for k in ("raw_storage_id", "text_storage_id")}
    assert len(blob_ids) >= len(mix) + 1
    assert await stack.blob_count() == len(blob_ids)
    for name, data, original in mix:
        result = by_name[name]
        _, raw = await stack.blob(result["raw_storage_id"])
        assert raw == data, name
        content_type, text_bytes = await stack.blob(result["text_storage_id"])
        if result["text_storage_id"] != result["raw_storage_id"]:
            # One shared blob keeps the type of whichever store arrived first.
            assert content_type == "text/plain; charset=utf-8", name
        extracted = text_bytes.decode("utf-8")  # strict: raises on anything not UTF-8
        assert words(extracted) == words(original), name
        assert {c: extracted.count(c) for c in SWEDISH_LETTERS} == {
            c: original.count(c) for c in SWEDISH_LETTERS
        }, name
        assert not any(bad in extracted for bad in MOJIBAKE), name
        assert result["char_count"] == len(extracted)

    # -- outbox: per file provisioned + added (key batch), one parsing, one notification --------
    outbox = await stack.outbox()
    assert Counter(row.event_type for row in outbox) == {
        "EssayContentProvisionedV1": len(mix),
        "BatchFileAddedV1": len(mix),
        "StudentParsingCompletedV1": 1,
        "TeacherNotificationRequestedV1": 1,
    }
    for row in outbox:
        envelope = row.decode()
        assert row.topic == topic_for(envelope.data)
        assert row.headers == {
            "event_id": str(envelope.event_id),
            "event_type": row.event_type,
            "correlation_id": correlation_id,
        }
        assert envelope.correlation_id == correlation_id
        assert envelope.source_service == "file_service"
        expected_key = (
            stack.user_id if row.event_type == "TeacherNotificationRequestedV1" else stack.batch_id
        )
        assert row.key == expected_key, row.event_type
    provisioned = {
        row.envelope["data"]["file_upload_id"]: row.envelope["data"]
        for row in outbox
        if row.event_type == "EssayContentProvisionedV1"
    }
    assert set(provisioned) == set(rows)
    for file_id, data in provisioned.items():
        assert data["text_storage_id"] == rows[file_id]["text_storage_id"]
        assert data["raw_storage_id"] == rows[file_id]["raw_storage_id"]
    [parsing] = [row for row in outbox if row.event_type == "StudentParsingCompletedV1"]
    # Names are sealed for Class Management under the event PII key.
    keys = KeyRing(stack.settings.event_pii_keys)
    found = {
        h["file_upload_id"]: keys.decrypt_text(h["student_name_ciphertext"])
        for h in parsing.envelope["data"]["parsed_headers"]
    }
    assert found == {
        by_name[name]["file_upload_id"]: STUDENTS[n] for n, (name, _, _) in enumerate(mix)
    }
    assert parsing.envelope["data"]["class_id"] is not None  # from BOS's pipeline state

    # -- the list shows exactly these files ---------------------------------------------------
    listed = await stack.client.list_files()
    assert listed.status == 200
    assert {f["file_upload_id"] for f in listed.body["files"]} == set(rows)

    # -- relay: every outbox row reaches its registry topic once, with key and headers ----------
    outbox_ids = {row.headers["event_id"]: row for row in outbox}
    assert await kafka.drain(stack.file_engine) == len(outbox)
    assert await stack.outbox() == []

    def ours(record: Any) -> bool:
        return kafka.headers(record).get("event_id") in outbox_ids

    records = await kafka.read_new(ours, expected=len(outbox))
    published = Counter(kafka.headers(r)["event_id"] for r in records)
    assert published == Counter(set(outbox_ids)), "each outbox row published exactly once"
    for record in records:
        headers = kafka.headers(record)
        row = outbox_ids[headers["event_id"]]
        assert record.topic == row.topic
        assert record.key.decode() == row.key
        assert headers["event_type"] == row.event_type
        assert headers["correlation_id"] == correlation_id
        envelope = kafka.decode(headers["event_type"], record.value)
        assert str(envelope.event_id) == headers["event_id"]
        if row.event_type != "TeacherNotificationRequestedV1":
            assert kafka.batch_id_of(record) == stack.batch_id
    notification = next(
        kafka.decode("TeacherNotificationRequestedV1", r.value)
        for r in records
        if kafka.headers(r)["event_type"] == "TeacherNotificationRequestedV1"
    )
    assert notification.data.user_id == stack.user_id
    assert notification.data.batch_id == stack.batch_id
    assert len(notification.data.payload["accepted"]) == len(mix)


async def test_partial_upload_answers_201_and_accounts_for_the_rejected_file(
    stack: Any,
) -> None:
    good = docx_bytes(essay(0))
    answer = await stack.client.upload([("bra.docx", good), ("tom.txt", b"")])

    assert answer.status == 201, answer.body
    assert (answer.body["accepted_count"], answer.body["rejected_count"]) == (1, 1)
    results = answer.files_by_name()
    assert results["bra.docx"]["status"] == "accepted"
    assert results["tom.txt"] == {
        "status": "rejected",
        "file_upload_id": results["tom.txt"]["file_upload_id"],
        "filename": "tom.txt",
        "error_code": "EMPTY_FILE",
        "message": results["tom.txt"]["message"],
    }
    assert len(await stack.file_rows()) == 1
    assert await stack.blob_count() == 2
    outbox = await stack.outbox()
    [failed] = [row for row in outbox if row.event_type == "EssayValidationFailedV1"]
    assert failed.key == stack.batch_id
    assert failed.envelope["data"]["file_upload_id"] == results["tom.txt"]["file_upload_id"]
    assert failed.envelope["data"]["error_code"] == "EMPTY_FILE"
    assert sorted(row.event_type for row in outbox) == [
        "BatchFileAddedV1",
        "EssayContentProvisionedV1",
        "EssayValidationFailedV1",
        "StudentParsingCompletedV1",
        "TeacherNotificationRequestedV1",
    ]


async def test_a_second_upload_adds_to_the_batch(stack: Any) -> None:
    first = await stack.client.upload([("a.docx", docx_bytes(essay(1)))])
    second = await stack.client.upload([("b.odt", odt_bytes(essay(2)))])
    assert (first.status, second.status) == (201, 201)
    listed = await stack.client.list_files()
    assert [f["filename"] for f in listed.body["files"]] == ["a.docx", "b.odt"]
    types = Counter(row.event_type for row in await stack.outbox())
    assert types["StudentParsingCompletedV1"] == 2
    assert types["TeacherNotificationRequestedV1"] == 2


async def test_percent_encoded_swedish_filenames_are_stored_decoded(stack: Any) -> None:
    answer = await stack.client.upload(
        [("Åsa Öberg - uppsats.docx", docx_bytes(essay(3)))], percent_encode_names=True
    )
    assert answer.status == 201
    assert answer.body["files"][0]["filename"] == "Åsa Öberg - uppsats.docx"
