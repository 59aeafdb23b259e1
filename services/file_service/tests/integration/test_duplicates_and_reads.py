"""One essay as .docx and as .pdf is one essay; a batch's files stay readable to their owner."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from huleedu_testing import random_id
from huleedu_testing.migrations import alembic_config
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes

from .conftest import SERVICE_DIR, FileStack

pytestmark = pytest.mark.integration


def essay(seed: int) -> str:
    return essay_text("sv", 320, header="Namn: Hugo Ek\nKlass: NA22b", seed=seed)


async def test_the_pdf_of_an_essay_already_in_the_batch_is_refused_naming_it(
    stack: FileStack,
) -> None:
    first = await stack.client.upload([("Hugo Ek.docx", docx_bytes(essay(1)))])
    assert first.status == 201, first.body
    earlier_id = first.body["files"][0]["file_upload_id"]
    blobs = await stack.blob_count()

    again = await stack.client.upload([("Hugo Ek (export).pdf", pdf_bytes(essay(1)))])

    assert again.status == 422, again.body
    assert again.error["code"] == "DUPLICATE_FILE"
    assert '"Hugo Ek.docx", already in this batch' in again.error["message"]
    [result] = again.error["details"]["files"]
    assert result["details"] == {
        "duplicate_of": {
            "file_upload_id": earlier_id,
            "filename": "Hugo Ek.docx",
            "in_this_upload": False,
        },
        "match": "same_text",
    }
    assert await stack.blob_count() == blobs  # no blob for the refused PDF
    [row] = await stack.file_rows()
    assert row["file_upload_id"] == earlier_id
    assert len(row["text_sha256"]) == 64


async def test_docx_and_pdf_in_one_upload_keep_the_first(stack: FileStack) -> None:
    answer = await stack.client.upload(
        [("uppsats.pdf", pdf_bytes(essay(2))), ("uppsats.docx", docx_bytes(essay(2)))]
    )

    assert answer.status == 201, answer.body
    assert (answer.body["accepted_count"], answer.body["rejected_count"]) == (1, 1)
    results = answer.files_by_name()
    assert results["uppsats.pdf"]["status"] == "accepted"
    copy = results["uppsats.docx"]
    assert copy["error_code"] == "DUPLICATE_FILE"
    assert copy["message"] == (
        'This essay has the same text as "uppsats.pdf", earlier in this upload '
        "(the same essay in another file or format)."
    )
    assert (
        copy["details"]["duplicate_of"]["file_upload_id"]
        == (results["uppsats.pdf"]["file_upload_id"])
    )
    assert len(await stack.file_rows()) == 1
    assert (await stack.outbox_types()).count("EssayValidationFailedV1") == 1


async def test_the_database_refuses_a_second_active_copy_of_a_text(stack: FileStack) -> None:
    answer = await stack.client.upload([("a.docx", docx_bytes(essay(3)))])
    assert answer.status == 201
    [row] = await stack.file_rows()
    with pytest.raises(Exception, match="uq_file_uploads_batch_text_sha256_active"):
        async with stack.file_engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO file_uploads (file_upload_id, batch_id, user_id,"
                    " original_file_name, file_type, content_sha256, text_sha256,"
                    " file_size_bytes, raw_storage_id, text_storage_id, char_count, word_count)"
                    " VALUES (:id, :batch, :user, 'b.pdf', 'pdf', :bytes, :text, 1, 'r', 't', 1, 1)"
                ),
                {
                    "id": random_id(),
                    "batch": row["batch_id"],
                    "user": row["user_id"],
                    "bytes": "0" * 64,
                    "text": row["text_sha256"],
                },
            )


async def test_the_owner_lists_files_after_processing_started(stack: FileStack) -> None:
    uploaded = await stack.client.upload([("hugo.docx", docx_bytes(essay(4)))])
    assert uploaded.status == 201
    stack.bos.set_accepts_files(stack.batch_id, False)

    listed = await stack.client.list_files()
    stranger = await stack.client.list_files(user_id=random_id())
    removal = await stack.client.remove(uploaded.body["files"][0]["file_upload_id"])

    assert listed.status == 200, listed.body
    assert [f["filename"] for f in listed.body["files"]] == ["hugo.docx"]
    assert (stranger.status, stranger.error["code"]) == (404, "BATCH_NOT_FOUND")
    # Changing files is still refused once processing started; only reads answer.
    assert (removal.status, removal.error["code"]) == (409, "BATCH_NOT_ACCEPTING_FILES")


async def test_migration_0002_goes_down_and_up_again(stack: FileStack) -> None:
    config = alembic_config(SERVICE_DIR)

    def step(connection: object, revision: str, up: bool) -> None:
        config.attributes["connection"] = connection
        (command.upgrade if up else command.downgrade)(config, revision)

    async with stack.file_engine.begin() as conn:
        await conn.run_sync(step, "0001", False)
        columns = await conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'file_uploads' AND table_schema = current_schema()"
            )
        )
        assert "text_sha256" not in set(columns.scalars())
        await conn.run_sync(step, "head", True)
    answer = await stack.client.upload([("efter.docx", docx_bytes(essay(5)))])
    assert answer.status == 201, answer.body
