"""Re-encrypt a table's encrypted columns under a key ring's primary key (key rotation).

Rows are read in keyset-paged batches, each batch locked (FOR UPDATE) and rewritten in its own
transaction, so the service keeps running meanwhile. Values already under the primary key are
left alone, so a second run, or a rerun after a crash, changes nothing. Rows written before a
table was encrypted (its `encrypted_flag` column false) hold plaintext: they are encrypted and
flagged. Services wrap this in their `rotate_keys` command.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.crypto import KeyRing

__all__ = ["EncryptedColumns", "ReencryptionReport", "RowHook", "reencrypt_table"]

# Called with a row's stored values and the change about to be written (token columns filled
# in); it may add values of `extra_columns` and returns True when it changed the row.
RowHook = Callable[[Mapping[str, Any], dict[str, Any]], bool]


@dataclass(frozen=True)
class EncryptedColumns:
    """Which columns of a table hold tokens, and how its rows are keyed."""

    table: Table
    key_columns: tuple[str, ...]
    token_columns: tuple[str, ...]
    encrypted_flag: str | None = None
    extra_columns: tuple[str, ...] = ()


@dataclass
class ReencryptionReport:
    """What one run did to one table."""

    rows: int = 0
    values_reencrypted: int = 0
    values_current: int = 0
    values_encrypted: int = 0


async def reencrypt_table(
    engine: AsyncEngine,
    target: EncryptedColumns,
    keyring: KeyRing,
    *,
    batch_size: int = 500,
    hook: RowHook | None = None,
) -> ReencryptionReport:
    """Bring every token of the table under the primary key; the counts."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = ReencryptionReport()
    table = target.table
    keys = [table.c[k] for k in target.key_columns]
    names = [*target.key_columns, *target.token_columns, *target.extra_columns]
    if target.encrypted_flag:
        names.append(target.encrypted_flag)
    columns = [table.c[n] for n in dict.fromkeys(names)]
    statement = _update_statement(target)
    after: tuple[Any, ...] | None = None
    while True:
        query = select(*columns).order_by(*keys).limit(batch_size).with_for_update()
        if after is not None:
            query = query.where(tuple_(*keys) > tuple_(*after))
        async with engine.begin() as conn:
            rows: list[Mapping[str, Any]] = [
                dict(r._mapping) for r in (await conn.execute(query)).all()
            ]
            if not rows:
                return report
            changes = [c for c in (_change(target, r, keyring, report, hook) for r in rows) if c]
            if changes:
                await conn.execute(statement, changes)
        report.rows += len(rows)
        after = tuple(rows[-1][k] for k in target.key_columns)


def _change(
    target: EncryptedColumns,
    values: Mapping[str, Any],
    keyring: KeyRing,
    report: ReencryptionReport,
    hook: RowHook | None,
) -> dict[str, Any] | None:
    change: dict[str, Any] = {f"k_{k}": values[k] for k in target.key_columns}
    plaintext = target.encrypted_flag is not None and not values[target.encrypted_flag]
    dirty = plaintext
    for column in target.token_columns:
        stored = values[column]
        if stored is None:
            change[column] = None
        elif plaintext:
            change[column] = keyring.encrypt(bytes(stored))
            report.values_encrypted += 1
        elif keyring.is_current(bytes(stored)):
            change[column] = bytes(stored)
            report.values_current += 1
        else:
            change[column] = keyring.rotate(bytes(stored))
            report.values_reencrypted += 1
            dirty = True
    if target.encrypted_flag:
        change[target.encrypted_flag] = True
    if hook is not None and hook(values, change):
        dirty = True
    for column in target.extra_columns:
        change.setdefault(column, values[column])
    return change if dirty else None


def _update_statement(target: EncryptedColumns) -> Any:
    table = target.table
    where = [table.c[k] == bindparam(f"k_{k}") for k in target.key_columns]
    written = [*target.token_columns, *target.extra_columns]
    if target.encrypted_flag:
        written.append(target.encrypted_flag)
    values: dict[str, Any] = {c: bindparam(c) for c in dict.fromkeys(written)}
    return update(table).where(*where).values(values)
