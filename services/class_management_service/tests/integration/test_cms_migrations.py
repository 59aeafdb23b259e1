"""The service's migrations: 0003 drops plaintext file names, and the chain undoes and redoes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.adapters.tables import essay_student_associations
from class_management_service.di import make_cipher, make_uow_factory
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import Db, schema_of, settings_for_schema
from huleedu_testing.migrations import downgrade_to_base, upgrade_to, upgrade_to_head

SERVICE_DIR = Path(__file__).resolve().parents[2]


async def _columns(db: Db) -> set[str]:
    rows = await db.rows(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'essay_student_associations'"
    )
    return {r["column_name"] for r in rows}


async def test_0003_replaces_plaintext_file_names_by_ciphertext(pg_engine: AsyncEngine) -> None:
    db = Db(pg_engine)
    await upgrade_to(pg_engine, SERVICE_DIR, "0002")
    async with pg_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO class_batches (batch_id, class_id, user_id, course_code, status) "
                "VALUES ('b-old', 'c-old', 't-old', 'SV1', 'pending_validation')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO essay_student_associations (batch_id, file_upload_id, essay_id, "
                "filename, method, status) VALUES ('b-old', 'u-1', 'e-1', 'Åsa Öberg.docx', "
                "'name_match', 'pending_validation')"
            )
        )

    await upgrade_to_head(pg_engine, SERVICE_DIR)

    assert await db.rows("SELECT version_num FROM alembic_version") == [{"version_num": "0003"}]
    assert await _columns(db) == {c.name for c in essay_student_associations.columns}
    assert "filename" not in await _columns(db)
    # The row stays; its plaintext file name is gone (it could not be encrypted in SQL).
    assert not any("Åsa".encode() in v for v in await db.raw_values("essay_student_associations"))
    settings = settings_for_schema(await schema_of(pg_engine))
    factory = make_uow_factory(make_session_factory(pg_engine), make_cipher(settings))
    async with factory() as uow:
        [row] = await uow.associations.list_for_batch("b-old")
    assert (row.essay_id, row.filename) == ("e-1", None)


async def test_the_migrations_run_down_to_nothing_and_up_again(pg_engine: AsyncEngine) -> None:
    db = Db(pg_engine)
    await upgrade_to_head(pg_engine, SERVICE_DIR)

    await downgrade_to_base(pg_engine, SERVICE_DIR)
    assert await _columns(db) == set()

    await upgrade_to_head(pg_engine, SERVICE_DIR)
    assert await _columns(db) == {c.name for c in essay_student_associations.columns}
