"""The events one upload puts in the outbox: each file's, the parsed student headers' and
the teacher's notification, all naming files by label (bus_names)."""

from __future__ import annotations

import uuid

from common_core.events import UploadSummary
from common_core.notifications import NotificationCode
from file_service.domain.bus_names import file_label, rejection_labels, without_file_names
from file_service.domain.ports import FileRecord
from file_service.domain.student_header import ParsedHeader
from file_service.domain.upload_events import EventFactory, Keyed
from file_service.domain.upload_results import FileResult


def upload_events(
    events: EventFactory,
    batch_id: str,
    user_id: str,
    class_id: str | None,
    results: list[FileResult],
    headers: list[tuple[FileRecord, ParsedHeader]],
) -> list[Keyed]:
    """Every event of one upload, in the order they are published."""
    accepted_count = sum(1 for r in results if r.record is not None)
    summary = UploadSummary(
        upload_id=str(uuid.uuid4()),
        accepted_count=accepted_count,
        rejected_count=len(results) - accepted_count,
    )
    keyed = _file_events(events, batch_id, results, summary)
    if headers:
        keyed.append(events.student_headers(batch_id, user_id, class_id, headers))
    keyed.append(_upload_notification(events, user_id, batch_id, results))
    return keyed


def _file_events(
    events: EventFactory, batch_id: str, results: list[FileResult], summary: UploadSummary
) -> list[Keyed]:
    """Each file's event, every one naming the upload it belongs to and its counts."""
    keyed: list[Keyed] = []
    for result in results:
        if result.record is not None:
            keyed.extend(events.accepted(result.record, summary))
        elif result.rejection is not None:
            keyed.append(
                events.rejected(batch_id, result.file_upload_id, result.rejection, summary)
            )
    return keyed


def _bus_message(result: FileResult) -> str | None:
    if result.message is None or result.rejection is None:
        return result.message
    details = result.rejection.details
    return without_file_names(
        result.message, rejection_labels(result.file_upload_id, result.filename, details)
    )


def _upload_notification(
    events: EventFactory, user_id: str, batch_id: str, results: list[FileResult]
) -> Keyed:
    accepted = [r for r in results if r.accepted]
    rejected = [r for r in results if not r.accepted]
    return events.notification(
        user_id,
        batch_id,
        NotificationCode.FILES_UPLOADED,
        {"accepted_count": len(accepted), "rejected_count": len(rejected)},
        # Labels, not file names: the bus keeps this for its retention (bus_names).
        {
            "accepted": [
                {
                    "file_upload_id": r.file_upload_id,
                    "filename": file_label(r.file_upload_id, r.filename),
                }
                for r in accepted
            ],
            "rejected": [
                {
                    "file_upload_id": r.file_upload_id,
                    "filename": file_label(r.file_upload_id, r.filename),
                    "error_code": str(r.error_code),
                    "message": _bus_message(r),
                }
                for r in rejected
            ],
        },
        action_required=bool(rejected),
    )
