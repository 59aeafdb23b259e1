"""Uploads whose essays name another course than the batch (or several) are refused whole."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from structlog.testing import capture_logs

from common_core.enums import BatchStatus, CourseCode
from common_core.envelope import EventEnvelope
from common_core.errors import ErrorCode
from common_core.internal_api import BatchPipelineStateV1
from file_service.api.errors import to_http_error
from file_service.domain import MixedCourses, find_mixed_courses
from file_service.domain.limits import ValidationLimits
from file_service.domain.observations import ignore
from file_service.domain.ports import FileRecord, FileRepository
from file_service.domain.upload_results import IncomingFile
from file_service.domain.uploads import UploadFiles
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, KeyRing
from huleedu_testing.sample_files import docx_bytes, essay_text

pytestmark = pytest.mark.unit

TEACHER = "teacher-anna"
BATCH = "batch-eng5"


def essay(header: str, seed: int = 0) -> str:
    return essay_text("en", 200, header=header, seed=seed)


class TestFindMixedCourses:
    def test_files_naming_the_batch_course_or_none_agree(self) -> None:
        essays = [("a.docx", essay("Kurs: Engelska 5")), ("b.docx", essay("Name: Bo Ek"))]
        assert find_mixed_courses(BATCH, CourseCode.ENG5, essays, 6) is None

    def test_a_file_naming_another_course_offends(self) -> None:
        essays = [
            ("essay1.docx", essay("Course: English 5")),
            ("essay2.docx", essay("Namn: Åsa Öberg\nKurs: Svenska 1")),
            ("essay3.docx", essay("Name: Bo Ek")),
        ]
        mixed = find_mixed_courses(BATCH, CourseCode.ENG5, essays, 6)
        assert mixed is not None
        assert mixed.details == {
            "batch_id": BATCH,
            "batch_course": "ENG5",
            "named_courses": {"essay2.docx": "SV1"},
        }
        assert mixed.message.startswith(
            "These essays name a different course than the batch (ENG5): "
            'essay2.docx names SV1 ("Svenska 1")'
        )

    def test_all_files_agreeing_on_another_course_still_offend(self) -> None:
        essays = [("a.docx", essay("ENG6", 1)), ("b.docx", essay("Kurs: Engelska 6", 2))]
        mixed = find_mixed_courses(BATCH, CourseCode.ENG5, essays, 6)
        assert mixed is not None
        assert mixed.details["named_courses"] == {"a.docx": "ENG6", "b.docx": "ENG6"}

    def test_without_a_batch_course_only_several_courses_offend(self) -> None:
        one = [("a.docx", essay("SV2", 1)), ("b.docx", essay("Kurs: Svenska 2", 2))]
        assert find_mixed_courses(BATCH, None, one, 6) is None
        two = [*one, ("c.docx", essay("Course: English 7", 3))]
        mixed = find_mixed_courses(BATCH, None, two, 6)
        assert mixed is not None
        assert mixed.details["batch_course"] is None
        assert mixed.details["named_courses"] == {
            "a.docx": "SV2",
            "b.docx": "SV2",
            "c.docx": "ENG7",
        }
        assert mixed.message.startswith("These essays name more than one course (ENG7, SV2)")

    def test_a_long_list_is_shortened_in_the_message_but_not_in_the_details(self) -> None:
        essays = [(f"{n}.docx", essay("Kurs: SV1", n)) for n in range(8)]
        mixed = find_mixed_courses(BATCH, CourseCode.ENG5, essays, 6)
        assert mixed is not None
        assert "and 3 more" in mixed.message
        assert len(mixed.details["named_courses"]) == 8

    def test_the_http_error_is_422_mixed_courses_with_the_details(self) -> None:
        mixed = MixedCourses(BATCH, CourseCode.ENG5, [])
        error = to_http_error(mixed)
        assert error is not None
        assert (error.code, error.status_code) == (ErrorCode.MIXED_COURSES, 422)
        assert error.details == mixed.details


class CourseBatch:
    """A batch of the given course (None: the orchestrator check is switched off)."""

    def __init__(self, course: CourseCode | None) -> None:
        self.course = course

    async def check(self, batch_id: str, user_id: str) -> BatchPipelineStateV1 | None:
        if self.course is None:
            return None
        return BatchPipelineStateV1(
            batch_id=batch_id,
            user_id=user_id,
            status=BatchStatus.AWAITING_CONTENT,
            accepts_files=True,
            course_code=self.course,
            expected_essay_count=5,
        )


class RecordingStore:
    def __init__(self) -> None:
        self.blobs: list[bytes] = []

    async def store(self, data: bytes, content_type: str, holder: str | None = None) -> str:
        self.blobs.append(data)
        return hashlib.sha256(data).hexdigest()


class RecordingFiles:
    def __init__(self) -> None:
        self.rows: list[FileRecord] = []

    async def lock_batch(self, batch_id: str) -> None:
        return None

    async def active_hashes(self, batch_id: str) -> set[str]:
        return {r.content_sha256 for r in self.rows}

    async def add(self, records: list[FileRecord]) -> None:
        self.rows.extend(records)

    async def get_active(self, batch_id: str, file_upload_id: str) -> FileRecord | None:
        return next((r for r in self.rows if r.file_upload_id == file_upload_id), None)

    async def list_active(self, batch_id: str) -> list[FileRecord]:
        return list(self.rows)

    async def mark_removed(self, file_upload_id: str) -> None:
        self.rows = [r for r in self.rows if r.file_upload_id != file_upload_id]


class RecordingUnitOfWork:
    def __init__(self) -> None:
        self.recorded = RecordingFiles()
        self.files: FileRepository = self.recorded
        self.opened = 0
        self.events: list[tuple[EventEnvelope[Any], str]] = []

    async def __aenter__(self) -> RecordingUnitOfWork:
        self.opened += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        self.events.extend(events)

    async def commit(self) -> None:
        return None


def upload(course: CourseCode | None) -> tuple[UploadFiles, RecordingStore, RecordingUnitOfWork]:
    store, uow = RecordingStore(), RecordingUnitOfWork()
    use_case = UploadFiles(
        batch_access=CourseBatch(course),
        content_store=store,
        uow=uow,
        limits=ValidationLimits(min_chars=50),
        max_files=10,
        validation_concurrency=2,
        source_service="file_service",
        sealer=KeyRing(DEV_EVENT_PII_KEY),
        record=ignore,
    )
    return use_case, store, uow


def docx(name: str, header: str, seed: int) -> IncomingFile:
    return IncomingFile(name, docx_bytes(essay(header, seed)))


class TestUploadRefusal:
    async def test_another_course_refuses_the_upload_before_anything_is_stored(self) -> None:
        use_case, store, uow = upload(CourseCode.ENG5)
        files = [docx("essay1.docx", "Kurs: Engelska 5", 1), docx("essay2.docx", "Kurs: SV1", 2)]
        with pytest.raises(MixedCourses) as refused:
            await use_case.execute(BATCH, TEACHER, files, "corr-mixed")
        assert refused.value.details["named_courses"] == {"essay2.docx": "SV1"}
        assert (store.blobs, uow.opened, uow.events) == ([], 0, [])

    async def test_rejected_files_do_not_count(self) -> None:
        use_case, _, uow = upload(CourseCode.ENG5)
        too_short = IncomingFile("kort.txt", b"Kurs: Svenska 1\n\nFor kort.")
        results = await use_case.execute(
            BATCH, TEACHER, [docx("essay1.docx", "Course: ENG5", 3), too_short], "c"
        )
        assert [r.accepted for r in results] == [True, False]
        assert len(uow.recorded.rows) == 1

    async def test_matching_and_unnamed_courses_are_accepted(self) -> None:
        use_case, store, uow = upload(CourseCode.ENG5)
        files = [docx("a.docx", "Course: English 5", 4), docx("b.docx", "Name: Bo Ek", 5)]
        results = await use_case.execute(BATCH, TEACHER, files, "c")
        assert all(r.accepted for r in results)
        assert (len(store.blobs), len(uow.recorded.rows)) == (4, 2)

    async def test_without_the_batch_check_two_courses_in_one_upload_are_refused(self) -> None:
        use_case, store, uow = upload(None)
        files = [docx("a.docx", "ENG6", 6), docx("b.docx", "Svenska 2", 7)]
        with pytest.raises(MixedCourses):
            await use_case.execute(BATCH, TEACHER, files, "c")
        assert (store.blobs, uow.opened) == ([], 0)

    async def test_the_refusal_is_logged_without_filenames(self) -> None:
        # Filenames are often the student's name ("Åsa Öberg.docx"): not for the logs.
        use_case, _, _ = upload(CourseCode.ENG5)
        files = [docx("Åsa Öberg.docx", "Kurs: SV1", 8), docx("Bo Ek.docx", "Course: ENG6", 9)]
        with capture_logs() as logs, pytest.raises(MixedCourses):
            await use_case.execute(BATCH, TEACHER, files, "corr-log")
        [entry] = [e for e in logs if e["event"] == "file.upload_mixed_courses"]
        assert entry["correlation_id"] == "corr-log"
        assert (entry["batch_id"], entry["batch_course"]) == (BATCH, "ENG5")
        assert (entry["offending_files"], entry["named_courses"]) == (2, ["ENG6", "SV1"])
        assert "Öberg" not in repr(entry)
        assert "Bo Ek" not in repr(entry)
