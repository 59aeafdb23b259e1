"""What an upload puts on the bus: labels instead of file names, sealed headers, blob holders."""

from __future__ import annotations

import pytest

from file_service.domain.batch_files import RemoveFile
from file_service.domain.bus_names import file_label, rejection_labels, without_file_names
from file_service.domain.upload_results import IncomingFile
from huleedu_testing.sample_files import docx_bytes, essay_text

from .upload_fakes import BATCH, EVENT_KEYS, TEACHER, FakeBatchAccess, upload_use_case

pytestmark = pytest.mark.unit

NAME = "Åsa Öberg"
HEADER = f"Namn: {NAME}\nasa.oberg@elev.skola.se"


def essay(seed: int) -> bytes:
    return docx_bytes(essay_text("sv", 300, header=HEADER, seed=seed))


class TestLabels:
    def test_a_label_keeps_only_the_id_and_a_sane_extension(self) -> None:
        assert file_label("0a1b2c3d-4e5f", "Åsa Öberg.DOCX") == "essay-0a1b2c3d.docx"
        assert file_label("0a1b2c3d-4e5f", "Åsa Öberg") == "essay-0a1b2c3d"
        assert file_label("0a1b2c3d-4e5f", "x.Öberg-uppsats") == "essay-0a1b2c3d"

    def test_messages_name_files_by_label(self) -> None:
        details = {"duplicate_of": {"file_upload_id": "ffff0000-1", "filename": "Åsa.docx"}}
        labels = rejection_labels("aaaa1111-2", "Åsa Öberg.pdf", details)
        message = 'Åsa Öberg.pdf has the same text as "Åsa.docx".'
        assert without_file_names(message, labels) == (
            'essay-aaaa1111.pdf has the same text as "essay-ffff0000.docx".'
        )


class TestUploadEvents:
    async def test_nothing_on_the_bus_names_the_student(self) -> None:
        use_case, _, uow = upload_use_case()
        files = [
            IncomingFile(f"{NAME}.docx", essay(1)),
            IncomingFile(f"{NAME} igen.docx", essay(1)),  # a copy: rejected, names the first
            IncomingFile(f"{NAME}.exe", b"MZ not an essay"),
        ]

        results = await use_case.execute(BATCH, TEACHER, files, "corr-1")

        assert [r.accepted for r in results] == [True, False, False]
        bus = "".join(env.model_dump_json() for env, _ in uow.committed_events)
        for secret in ("Åsa", "Öberg", "asa.oberg"):
            assert secret not in bus, secret
        accepted = results[0]
        label = f"essay-{accepted.file_upload_id[:8]}.docx"
        [added] = [e for e, _ in uow.committed_events if e.event_type == "BatchFileAddedV1"]
        assert added.data.original_file_name == label
        # The real name stays in this service.
        assert uow.files.rows[accepted.file_upload_id].original_file_name == f"{NAME}.docx"
        [notice] = [e for e, _ in uow.committed_events if e.event_type.startswith("Teacher")]
        assert [f["filename"] for f in notice.data.payload["accepted"]] == [label]
        assert all(f["filename"].startswith("essay-") for f in notice.data.payload["rejected"])
        [parsing] = [e for e, _ in uow.committed_events if e.event_type.startswith("StudentPars")]
        [header] = parsing.data.parsed_headers
        assert header.original_file_name_ciphertext is not None
        assert EVENT_KEYS.decrypt_text(header.original_file_name_ciphertext) == f"{NAME}.docx"

    async def test_blobs_are_held_by_the_batch(self) -> None:
        use_case, content, _ = upload_use_case()
        await use_case.execute(BATCH, TEACHER, [IncomingFile("a.docx", essay(2))], "corr-2")
        assert len(content.holders) == 2
        assert all(holders == {BATCH} for holders in content.holders.values())

    async def test_removal_names_the_file_by_label(self) -> None:
        use_case, _, uow = upload_use_case()
        [accepted] = await use_case.execute(
            BATCH, TEACHER, [IncomingFile(f"{NAME}.docx", essay(3))], "corr-3"
        )
        remove = RemoveFile(batch_access=FakeBatchAccess(), uow=uow, source_service="file_service")

        await remove.execute(BATCH, TEACHER, accepted.file_upload_id, "corr-4")

        removal = [e for e, _ in uow.committed_events if e.correlation_id == "corr-4"]
        bus = "".join(e.model_dump_json() for e in removal)
        assert "Öberg" not in bus
        assert f"essay-{accepted.file_upload_id[:8]}.docx" in bus
