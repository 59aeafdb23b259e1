"""Duplicate essays by bytes and by text, named in the rejection; reads in any batch state."""

from __future__ import annotations

import pytest

from common_core.errors import ErrorCode
from file_service.domain.batch_files import ListFiles, RemoveFile
from file_service.domain.ports import BatchNotFound, DependencyUnavailable
from file_service.domain.upload_results import IncomingFile
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes

from .upload_fakes import BATCH, TEACHER, FakeBatchAccess, upload_use_case

pytestmark = pytest.mark.unit


def essay(seed: int, name: str = "Namn: Linnea Holm\nKlass: TE22a") -> str:
    return essay_text("sv", 300, header=name, seed=seed)


class TestDuplicateEssays:
    async def test_docx_and_pdf_of_one_essay_in_one_upload_keep_the_first(self) -> None:
        use_case, content, uow = upload_use_case()
        text = essay(1)
        files = [
            IncomingFile("Linnea uppsats.docx", docx_bytes(text)),
            IncomingFile("Linnea uppsats.pdf", pdf_bytes(text)),
        ]

        first, second = await use_case.execute(BATCH, TEACHER, files, "c")

        assert first.accepted
        assert first.record is not None
        assert second.error_code is ErrorCode.DUPLICATE_FILE
        assert second.message is not None
        assert '"Linnea uppsats.docx"' in second.message
        assert "earlier in this upload" in second.message
        assert second.rejection is not None
        assert second.rejection.details == {
            "duplicate_of": {
                "file_upload_id": first.file_upload_id,
                "filename": "Linnea uppsats.docx",
                "in_this_upload": True,
            },
            "match": "same_text",
        }
        # Only the first file's bytes and text were stored; the PDF left no blob behind.
        assert set(content.blobs) == {first.record.raw_storage_id, first.record.text_storage_id}
        assert list(uow.files.rows) == [first.file_upload_id]
        assert first.record.text_sha256 is not None

    async def test_a_pdf_of_an_essay_already_in_the_batch_names_the_earlier_file(self) -> None:
        use_case, content, uow = upload_use_case()
        text = essay(2)
        [earlier] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile("holm.docx", docx_bytes(text))], "c1"
        )
        blobs_before = dict(content.blobs)

        [again] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile("holm export.pdf", pdf_bytes(text))], "c2"
        )

        assert again.error_code is ErrorCode.DUPLICATE_FILE
        assert again.message is not None
        assert '"holm.docx", already in this batch' in again.message
        assert again.rejection is not None
        assert again.rejection.details["duplicate_of"] == {
            "file_upload_id": earlier.file_upload_id,
            "filename": "holm.docx",
            "in_this_upload": False,
        }
        assert again.rejection.details["match"] == "same_text"
        assert content.blobs == blobs_before
        assert len(uow.files.rows) == 1
        [failed] = [env for env, _ in uow.committed_events if env.event_type.endswith("FailedV1")]
        assert failed.data.error_code is ErrorCode.DUPLICATE_FILE
        # On the bus the earlier file is named by its label, never by its name.
        assert "holm" not in failed.data.message
        assert f'"essay-{earlier.file_upload_id[:8]}.docx"' in failed.data.message

    async def test_identical_bytes_say_so_and_win_over_same_text(self) -> None:
        use_case, _, _ = upload_use_case()
        data = docx_bytes(essay(3))
        [earlier] = await use_case.execute(BATCH, TEACHER, [IncomingFile("a.docx", data)], "c1")

        [again] = await use_case.execute(BATCH, TEACHER, [IncomingFile("b.docx", data)], "c2")

        assert again.rejection is not None
        assert again.rejection.details["match"] == "identical_bytes"
        assert again.rejection.details["duplicate_of"]["file_upload_id"] == earlier.file_upload_id
        assert again.message == 'This file is identical to "a.docx", already in this batch.'

    async def test_different_students_with_the_same_body_are_both_accepted(self) -> None:
        use_case, _, uow = upload_use_case()
        body = essay_text("en", 300, seed=4)
        files = [
            IncomingFile("anna.docx", docx_bytes("Name: Anna Berg\n\n" + body)),
            IncomingFile("omar.pdf", pdf_bytes("Name: Omar Haddad\n\n" + body)),
        ]
        results = await use_case.execute(BATCH, TEACHER, files, "c")
        assert [r.accepted for r in results] == [True, True]
        assert len(uow.files.rows) == 2

    async def test_a_removed_file_no_longer_blocks_its_other_format(self) -> None:
        use_case, _, uow = upload_use_case()
        text = essay(5)
        [docx] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile("e.docx", docx_bytes(text))], "c"
        )
        remove = RemoveFile(batch_access=FakeBatchAccess(), uow=uow, source_service="file_service")
        await remove.execute(BATCH, TEACHER, docx.file_upload_id, "c2")

        [pdf] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile("e.pdf", pdf_bytes(text))], "c3"
        )

        assert pdf.accepted


class TestListFiles:
    async def test_the_owner_reads_the_files_after_processing_started(self) -> None:
        use_case, _, uow = upload_use_case()
        [result] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile("e.docx", docx_bytes(essay(6)))], "c"
        )
        closed = FakeBatchAccess(accepts=False)

        records = await ListFiles(batch_access=closed, uow=uow).execute(BATCH, TEACHER)

        assert [r.file_upload_id for r in records] == [result.file_upload_id]
        assert (closed.owner_calls, closed.calls) == (1, 0)

    @pytest.mark.parametrize("accepts", [True, False])
    async def test_someone_else_gets_not_found_in_any_state(self, accepts: bool) -> None:
        _, _, uow = upload_use_case()
        access = FakeBatchAccess(owner="teacher-bo", accepts=accepts)
        with pytest.raises(BatchNotFound):
            await ListFiles(batch_access=access, uow=uow).execute(BATCH, TEACHER)

    async def test_orchestrator_down_is_still_an_outage(self) -> None:
        _, _, uow = upload_use_case()
        with pytest.raises(DependencyUnavailable):
            await ListFiles(batch_access=FakeBatchAccess(down=True), uow=uow).execute(
                BATCH, TEACHER
            )
