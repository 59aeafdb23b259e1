"""Hand-written fakes of the upload use cases' ports, shared by the unit tests."""

from __future__ import annotations

import hashlib
from typing import Any

from common_core.enums import BatchStatus, CourseCode
from common_core.envelope import EventEnvelope
from common_core.internal_api import BatchPipelineStateV1
from file_service.domain.limits import ValidationLimits
from file_service.domain.observations import Recorder, ignore
from file_service.domain.ports import (
    BatchNotAcceptingFiles,
    BatchNotFound,
    DependencyUnavailable,
    FileRecord,
)
from file_service.domain.upload_results import IncomingFile
from file_service.domain.uploads import UploadFiles
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, KeyRing
from huleedu_testing.sample_files import docx_bytes, essay_text

# The development event key: tests open the sealed headers with it.
EVENT_KEYS = KeyRing(DEV_EVENT_PII_KEY)

TEACHER = "teacher-anna"
BATCH = "batch-1"


class FakeBatchAccess:
    def __init__(self, owner: str = TEACHER, accepts: bool = True, down: bool = False) -> None:
        self.owner, self.accepts, self.down = owner, accepts, down
        self.calls = 0
        self.owner_calls = 0

    async def check(self, batch_id: str, user_id: str) -> BatchPipelineStateV1 | None:
        self.calls += 1
        if self.down:
            raise DependencyUnavailable("batch_orchestrator_service", 7.0)
        if user_id != self.owner:
            raise BatchNotFound(batch_id)
        if not self.accepts:
            raise BatchNotAcceptingFiles(batch_id)
        return self._state(batch_id, user_id)

    async def check_owner(self, batch_id: str, user_id: str) -> BatchPipelineStateV1 | None:
        self.owner_calls += 1
        if self.down:
            raise DependencyUnavailable("batch_orchestrator_service", 7.0)
        if user_id != self.owner:
            raise BatchNotFound(batch_id)
        return self._state(batch_id, user_id)

    def _state(self, batch_id: str, user_id: str) -> BatchPipelineStateV1:
        return BatchPipelineStateV1(
            batch_id=batch_id,
            user_id=user_id,
            status=BatchStatus.AWAITING_CONTENT if self.accepts else BatchStatus.PROCESSING,
            accepts_files=self.accepts,
            course_code=CourseCode.SV2,
            class_id="class-7",
            expected_essay_count=3,
        )


class FakeContentStore:
    def __init__(self, fail: bool = False) -> None:
        self.blobs: dict[str, bytes] = {}
        self.holders: dict[str, set[str | None]] = {}
        self.fail = fail

    async def store(self, data: bytes, content_type: str, holder: str | None = None) -> str:
        if self.fail:
            raise DependencyUnavailable("content_service", 5.0)
        content_id = hashlib.sha256(data).hexdigest()
        self.blobs[content_id] = data
        self.holders.setdefault(content_id, set()).add(holder)
        return content_id


class FakeFiles:
    def __init__(self) -> None:
        self.rows: dict[str, FileRecord] = {}
        self.removed: set[str] = set()

    async def lock_batch(self, batch_id: str) -> None:
        return None

    async def active_hashes(self, batch_id: str) -> set[str]:
        return {r.content_sha256 for r in await self.list_active(batch_id)}

    async def add(self, records: list[FileRecord]) -> None:
        self.rows.update({r.file_upload_id: r for r in records})

    async def get_active(self, batch_id: str, file_upload_id: str) -> FileRecord | None:
        record = self.rows.get(file_upload_id)
        if record is None or record.batch_id != batch_id or file_upload_id in self.removed:
            return None
        return record

    async def list_active(self, batch_id: str) -> list[FileRecord]:
        return [
            r
            for r in self.rows.values()
            if r.batch_id == batch_id and r.file_upload_id not in self.removed
        ]

    async def mark_removed(self, file_upload_id: str) -> None:
        self.removed.add(file_upload_id)


class FakeUnitOfWork:
    """Applies rows and events only on commit, like a real transaction."""

    def __init__(self) -> None:
        self.files = FakeFiles()
        self.committed_events: list[tuple[EventEnvelope[Any], str]] = []
        self._pending: list[tuple[EventEnvelope[Any], str]] = []
        self._staged: FakeFiles | None = None

    async def __aenter__(self) -> FakeUnitOfWork:
        self._pending = []
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._pending = []

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        self._pending.extend(events)

    async def commit(self) -> None:
        self.committed_events.extend(self._pending)
        self._pending = []

    def event_types(self) -> list[str]:
        return [env.event_type for env, _ in self.committed_events]


def upload_use_case(
    access: FakeBatchAccess | None = None,
    content: FakeContentStore | None = None,
    uow: FakeUnitOfWork | None = None,
    max_files: int = 10,
    record: Recorder = ignore,
) -> tuple[UploadFiles, FakeContentStore, FakeUnitOfWork]:
    content = content or FakeContentStore()
    uow = uow or FakeUnitOfWork()
    use_case = UploadFiles(
        batch_access=access or FakeBatchAccess(),
        content_store=content,
        uow=uow,
        limits=ValidationLimits(min_chars=50),
        max_files=max_files,
        validation_concurrency=2,
        source_service="file_service",
        sealer=EVENT_KEYS,
        record=record,
    )
    return use_case, content, uow


def essay_file(name: str, seed: int, header: str | None = "Namn: Åsa Öberg") -> IncomingFile:
    return IncomingFile(name, docx_bytes(essay_text("sv", 300, header=header, seed=seed)))
