"""Key rotation: values written under K1 are readable with K2 alone after rotating."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.adapters.pii import PiiKeyError
from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.associations.ports import Association, ClassBatch
from class_management_service.domain.ports import UnitOfWorkFactory
from class_management_service.domain.records import Actor
from class_management_service.domain.roster.classes import ClassService
from class_management_service.domain.roster.rosters import RosterService
from class_management_service.rotate_keys import OLD_HASH_KEY_ENV, KeyRotation, rotate
from common_core.enums import AssociationMethod, AssociationStatus, CourseCode
from huleedu_service_libs.db import make_session_factory

K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
H1, H2 = "hash-key-one-for-tests", "hash-key-two-for-tests"
TEACHER = Actor("teacher-rotation", "corr-rotation")


def factory(engine: AsyncEngine, settings: ClassManagementSettings) -> UnitOfWorkFactory:
    return make_uow_factory(make_session_factory(engine), make_cipher(settings))


async def write_under_k1(engine: AsyncEngine, settings: ClassManagementSettings) -> str:
    """Five students (one batch of 2 + 2 + 1) and an association, all under K1/H1."""
    uows = factory(engine, settings)
    created = await ClassService(uows, "cms").create(TEACHER, "9A", "SV1")
    csv = "namn;epost\n" + "".join(f"Elev{i} Efternamn;elev{i}@skola.se\n" for i in range(5))
    result = await RosterService(uows, "cms", max_rows=10).import_csv(
        TEACHER, created.class_id, csv.encode()
    )
    async with uows() as uow:
        await uow.class_batches.add(
            ClassBatch("b1", created.class_id, TEACHER.user_id, CourseCode.SV1)
        )
        await uow.associations.save_many(
            [
                Association(
                    batch_id="b1",
                    file_upload_id="u1",
                    filename="Elev0 Efternamn.docx",
                    parsed_name="Elev0 Efternamn",
                    parsed_email=None,
                    suggested_student_id=result.students[0].student_id,
                    method=AssociationMethod.NAME_MATCH,
                    status=AssociationStatus.PENDING_VALIDATION,
                )
            ]
        )
        await uow.commit()
    return created.class_id


async def test_rotation_reencrypts_everything_and_is_idempotent(
    cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    old = cms_settings.model_copy(update={"pii_encryption_keys": K1, "pii_hash_key": H1})
    class_id = await write_under_k1(cms_engine, old)
    both = old.model_copy(update={"pii_encryption_keys": f"{K2},{K1}"})

    first = await KeyRotation(cms_engine, both, batch_size=2).run()
    second = await KeyRotation(cms_engine, both, batch_size=2).run()

    assert (first["students"].rows, first["students"].values_reencrypted) == (5, 10)
    # The parsed name and the file name (the email is NULL).
    assert first["essay_student_associations"].values_reencrypted == 2
    assert (second["students"].values_reencrypted, second["students"].values_current) == (0, 10)
    assert second["essay_student_associations"].values_reencrypted == 0
    only_new = both.model_copy(update={"pii_encryption_keys": K2})
    async with factory(cms_engine, only_new)() as uow:
        roster = await uow.students.roster(class_id)
        rows = await uow.associations.list_for_batch("b1")
    assert [s.email for s in roster] == [f"elev{i}@skola.se" for i in range(5)]
    assert (rows[0].parsed_name, rows[0].filename) == ("Elev0 Efternamn", "Elev0 Efternamn.docx")
    async with factory(cms_engine, old)() as uow:  # K1 alone no longer opens anything
        with pytest.raises(PiiKeyError):
            await uow.students.roster(class_id)


async def test_rehash_moves_email_lookups_to_the_new_hash_key(
    cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    old = cms_settings.model_copy(update={"pii_encryption_keys": K1, "pii_hash_key": H1})
    await write_under_k1(cms_engine, old)
    new = old.model_copy(update={"pii_hash_key": H2})
    emails = [f"elev{i}@skola.se" for i in range(5)]
    async with factory(cms_engine, new)() as uow:
        assert await uow.students.find_by_emails(TEACHER.user_id, emails) == []

    report = await KeyRotation(cms_engine, new, rehash_from=H1, batch_size=3).run()
    again = await KeyRotation(cms_engine, new, rehash_from=H1, batch_size=3).run()

    assert (report["students"].hashes_changed, report["students"].hashes_unexpected) == (5, 0)
    assert again["students"].hashes_changed == 0
    async with factory(cms_engine, new)() as uow:
        found = await uow.students.find_by_emails(TEACHER.user_id, emails)
    assert sorted(s.email for s in found) == emails


async def test_command_line_reads_settings_from_the_environment(
    cms_engine: AsyncEngine,
    cms_settings: ClassManagementSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = cms_settings.model_copy(update={"pii_encryption_keys": K1, "pii_hash_key": H1})
    await write_under_k1(cms_engine, old)
    prefix = "CLASS_MANAGEMENT_SERVICE_"
    monkeypatch.setenv(f"{prefix}DATABASE_URL", cms_settings.database_url)
    monkeypatch.setenv(f"{prefix}DATABASE_SCHEMA", cms_settings.database_schema)
    monkeypatch.setenv(f"{prefix}PII_ENCRYPTION_KEYS", f"{K2},{K1}")
    monkeypatch.setenv(f"{prefix}PII_HASH_KEY", H2)
    # The old hash key comes from the environment, never from the (world-readable) argv.
    monkeypatch.setenv(f"{prefix}OLD_PII_HASH_KEY", H1)

    reports = await rotate(["--batch-size", "4", "--rehash"])

    assert (reports["students"].hashes_changed, reports["students"].hashes_unexpected) == (5, 0)
    printed = capsys.readouterr().out
    assert "students: 5 rows, 10 values re-encrypted" in printed
    assert "5 email hashes recomputed" in printed
    assert "essay_student_associations: 1 rows, 2 values re-encrypted" in printed


async def test_rehash_without_the_old_key_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(OLD_HASH_KEY_ENV, raising=False)
    with pytest.raises(SystemExit) as refused:
        await rotate(["--rehash"])
    assert refused.value.code == 2
    assert OLD_HASH_KEY_ENV in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the key is no longer accepted as an argument
        await rotate(["--rehash-from", H1])
