"""UploadFiles / RemoveFile / ListFiles with hand-written fakes of their ports."""

from __future__ import annotations

import pytest

from common_core.errors import ErrorCode
from file_service.domain.batch_files import FileNotFoundInBatch, ListFiles, RemoveFile
from file_service.domain.observations import Observation, UploadCommitted
from file_service.domain.ports import (
    BatchNotAcceptingFiles,
    BatchNotFound,
    DependencyUnavailable,
)
from file_service.domain.upload_results import IncomingFile, UploadRejected
from huleedu_testing.sample_files import essay_text, txt_bytes

from .upload_fakes import (
    BATCH,
    EVENT_KEYS,
    TEACHER,
    FakeBatchAccess,
    FakeContentStore,
    FakeUnitOfWork,
    essay_file,
    upload_use_case,
)

pytestmark = pytest.mark.unit


class TestUploadFiles:
    async def test_accepted_files_store_blobs_rows_and_events_together(self) -> None:
        use_case, content, uow = upload_use_case()
        files = [essay_file("asa.docx", 1), IncomingFile("tom.txt", b"")]
        results = await use_case.execute(BATCH, TEACHER, files, "corr-1")

        assert [r.accepted for r in results] == [True, False]
        assert results[1].error_code is ErrorCode.EMPTY_FILE
        record = results[0].record
        assert record is not None
        assert record.file_upload_id in uow.files.rows
        assert {record.raw_storage_id, record.text_storage_id} <= set(content.blobs)
        assert len(content.blobs) == 2  # nothing stored for the rejected file
        assert sorted(uow.event_types()) == sorted(
            [
                "EssayContentProvisionedV1",
                "BatchFileAddedV1",
                "EssayValidationFailedV1",
                "StudentParsingCompletedV1",
                "TeacherNotificationRequestedV1",
            ]
        )
        assert all(env.correlation_id == "corr-1" for env, _ in uow.committed_events)
        keys = {env.event_type: key for env, key in uow.committed_events}
        assert keys["EssayContentProvisionedV1"] == BATCH
        assert keys["TeacherNotificationRequestedV1"] == TEACHER

    async def test_student_header_and_class_go_into_the_parsing_event(self) -> None:
        use_case, _, uow = upload_use_case()
        await use_case.execute(BATCH, TEACHER, [essay_file("asa.docx", 2)], "corr-2")
        [parsing] = [
            env for env, _ in uow.committed_events if env.event_type == "StudentParsingCompletedV1"
        ]
        assert parsing.data.class_id == "class-7"
        [header] = parsing.data.parsed_headers
        # Sealed for Class Management: nothing readable on the bus without the event key.
        assert (header.student_name, header.student_email, header.original_file_name) == (
            None,
            None,
            None,
        )
        assert header.student_name_ciphertext is not None
        assert header.original_file_name_ciphertext is not None
        assert "Öberg" not in parsing.model_dump_json()
        assert EVENT_KEYS.decrypt_text(header.student_name_ciphertext) == "Åsa Öberg"
        assert EVENT_KEYS.decrypt_text(header.original_file_name_ciphertext) == "asa.docx"

    async def test_identical_files_in_one_request_keep_only_the_first(self) -> None:
        use_case, _, uow = upload_use_case()
        same = essay_file("a.docx", 3)
        results = await use_case.execute(
            BATCH, TEACHER, [same, IncomingFile("b.docx", same.data)], "c"
        )
        assert [r.accepted for r in results] == [True, False]
        assert results[1].error_code is ErrorCode.DUPLICATE_FILE
        assert len(uow.files.rows) == 1

    async def test_a_file_already_in_the_batch_is_a_duplicate(self) -> None:
        use_case, _, uow = upload_use_case()
        first = essay_file("a.docx", 4)
        await use_case.execute(BATCH, TEACHER, [first], "c1")
        [again] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile("copy.docx", first.data)], "c2"
        )
        assert again.error_code is ErrorCode.DUPLICATE_FILE
        assert len(uow.files.rows) == 1

    async def test_someone_elses_batch_is_not_found_and_nothing_happens(self) -> None:
        use_case, content, uow = upload_use_case(access=FakeBatchAccess(owner="teacher-bo"))
        with pytest.raises(BatchNotFound):
            await use_case.execute(BATCH, TEACHER, [essay_file("a.docx", 5)], "c")
        assert (content.blobs, uow.files.rows, uow.committed_events) == ({}, {}, [])

    @pytest.mark.parametrize(
        ("access", "error"),
        [
            (FakeBatchAccess(accepts=False), BatchNotAcceptingFiles),
            (FakeBatchAccess(down=True), DependencyUnavailable),
        ],
    )
    async def test_batch_problems_stop_the_upload_before_any_work(
        self, access: FakeBatchAccess, error: type[Exception]
    ) -> None:
        use_case, content, uow = upload_use_case(access=access)
        with pytest.raises(error):
            await use_case.execute(BATCH, TEACHER, [essay_file("a.docx", 6)], "c")
        assert (content.blobs, uow.committed_events) == ({}, [])

    async def test_a_refused_batch_never_reads_the_upload_body(self) -> None:
        use_case, _, _ = upload_use_case(access=FakeBatchAccess(owner="teacher-bo"))
        loads = 0

        async def read_body() -> list[IncomingFile]:
            nonlocal loads
            loads += 1
            return [essay_file("a.docx", 10)]

        with pytest.raises(BatchNotFound):
            await use_case.execute(BATCH, TEACHER, read_body, "c")
        assert loads == 0

    async def test_a_loader_is_read_after_the_check(self) -> None:
        use_case, _, uow = upload_use_case()

        async def read_body() -> list[IncomingFile]:
            return [essay_file("a.docx", 11)]

        [result] = await use_case.execute(BATCH, TEACHER, read_body, "c")
        assert result.accepted
        assert len(uow.files.rows) == 1

    async def test_content_service_down_commits_nothing(self) -> None:
        use_case, _, uow = upload_use_case(content=FakeContentStore(fail=True))
        with pytest.raises(DependencyUnavailable):
            await use_case.execute(BATCH, TEACHER, [essay_file("a.docx", 7)], "c")
        assert (uow.files.rows, uow.committed_events) == ({}, [])

    async def test_committed_uploads_are_observed_after_their_commit(self) -> None:
        uow = FakeUnitOfWork()
        # Each observation with the number of events committed when it was recorded.
        seen: list[tuple[Observation, int]] = []
        use_case, _, _ = upload_use_case(
            uow=uow,
            record=lambda observed: seen.extend((o, len(uow.committed_events)) for o in observed),
        )
        files = [essay_file("a.docx", 21), essay_file("b.docx", 22), IncomingFile("c.txt", b"")]
        await use_case.execute(BATCH, TEACHER, files, "c")
        assert seen == [
            (UploadCommitted(("docx", "docx"), (ErrorCode.EMPTY_FILE,)), len(uow.committed_events))
        ]

    async def test_an_upload_that_fails_before_its_commit_is_not_observed(self) -> None:
        seen: list[Observation] = []
        failing, _, _ = upload_use_case(content=FakeContentStore(fail=True), record=seen.extend)
        with pytest.raises(DependencyUnavailable):
            await failing.execute(BATCH, TEACHER, [essay_file("d.docx", 23)], "c")
        assert seen == []

    async def test_empty_and_oversized_requests_are_refused(self) -> None:
        use_case, _, _ = upload_use_case(max_files=2)
        with pytest.raises(UploadRejected):
            await use_case.execute(BATCH, TEACHER, [], "c")
        with pytest.raises(UploadRejected):
            await use_case.execute(
                BATCH, TEACHER, [essay_file(f"{n}.docx", n) for n in range(3)], "c"
            )

    async def test_text_files_in_windows_1252_are_stored_as_utf8_text(self) -> None:
        use_case, content, _ = upload_use_case()
        text = essay_text("sv", 120, header="Namn: Örjan Ågren", seed=8)
        [result] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile("o.txt", txt_bytes(text, "cp1252"))], "c"
        )
        assert result.record is not None
        assert "Örjan Ågren" in content.blobs[result.record.text_storage_id].decode("utf-8")


class TestRemoveAndList:
    async def test_remove_soft_deletes_and_emits_removed(self) -> None:
        upload, _, uow = upload_use_case()
        [result] = await upload.execute(BATCH, TEACHER, [essay_file("a.docx", 9)], "c")
        assert result.record is not None
        remove = RemoveFile(batch_access=FakeBatchAccess(), uow=uow, source_service="file_service")
        await remove.execute(BATCH, TEACHER, result.file_upload_id, "c2")
        assert "BatchFileRemovedV1" in uow.event_types()
        assert (
            await ListFiles(batch_access=FakeBatchAccess(), uow=uow).execute(BATCH, TEACHER) == []
        )
        with pytest.raises(FileNotFoundInBatch):
            await remove.execute(BATCH, TEACHER, result.file_upload_id, "c3")

    async def test_removal_is_refused_once_processing_started(self) -> None:
        _, _, uow = upload_use_case()
        remove = RemoveFile(
            batch_access=FakeBatchAccess(accepts=False), uow=uow, source_service="file_service"
        )
        with pytest.raises(BatchNotAcceptingFiles):
            await remove.execute(BATCH, TEACHER, "any", "c")
