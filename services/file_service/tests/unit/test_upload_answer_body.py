"""The upload answer's per-file bodies: the shared contract (common_core.file_api), as JSON.

The gateway passes the File Service's upload answer through unparsed, so this JSON is what a
teacher's client reads: an acceptance carries the record, a rejection its code and message (and
details only when there are some), and neither carries the other's fields as nulls.
"""

from __future__ import annotations

import pytest

from common_core.file_api import FileUploadResponse
from file_service.api.file_routes import _json, _result_body
from file_service.domain.upload_results import IncomingFile
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes

from .upload_fakes import BATCH, TEACHER, essay_file, upload_use_case

pytestmark = pytest.mark.unit

RECORD_FIELDS = {
    "file_upload_id",
    "filename",
    "file_type",
    "file_size_bytes",
    "content_sha256",
    "raw_storage_id",
    "text_storage_id",
    "char_count",
    "word_count",
}


async def test_accepted_and_rejected_files_answer_with_only_their_own_fields() -> None:
    use_case, _, _ = upload_use_case()
    text = essay_text("sv", 300, header="Namn: Linnea Holm", seed=1)
    files = [
        essay_file("asa.docx", 2),
        IncomingFile("tom.txt", b""),
        IncomingFile("Linnea.docx", docx_bytes(text)),
        IncomingFile("Linnea.pdf", pdf_bytes(text)),
    ]

    results = await use_case.execute(BATCH, TEACHER, files, "corr-1")
    accepted, empty, _, copy = (_json(_result_body(r)) for r in results)

    assert set(accepted) == RECORD_FIELDS | {"status"}
    assert accepted["status"] == "accepted"
    assert accepted["filename"] == "asa.docx"
    assert empty == {
        "status": "rejected",
        "file_upload_id": results[1].file_upload_id,
        "filename": "tom.txt",
        "error_code": "EMPTY_FILE",
        "message": results[1].message,
    }
    assert copy["error_code"] == "DUPLICATE_FILE"
    assert copy["details"]["duplicate_of"]["filename"] == "Linnea.docx"


async def test_the_answer_reads_back_as_the_gateways_response_model() -> None:
    use_case, _, _ = upload_use_case()
    results = await use_case.execute(
        BATCH, TEACHER, [essay_file("a.docx", 1), IncomingFile("tom.txt", b"")], "corr-1"
    )
    body = FileUploadResponse(
        batch_id=BATCH,
        accepted_count=1,
        rejected_count=1,
        files=[_result_body(r) for r in results],
    )

    again = FileUploadResponse.model_validate(_json(body))

    assert again == body
    assert [f.status for f in again.files] == ["accepted", "rejected"]
