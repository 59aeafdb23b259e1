"""Re-encrypt every stored PII value with the primary key (and optionally re-hash emails).

    python -m class_management_service.rotate_keys [--batch-size N] [--rehash]

Rotation: put the new Fernet key first in CLASS_MANAGEMENT_SERVICE_PII_ENCRYPTION_KEYS
(keeping the old ones after it), deploy, run this, then drop the old keys. Values already
under the primary key are left alone, so a second run (or a rerun after a crash) changes
nothing. Each batch commits on its own: the service keeps running meanwhile.

Hash key change: set CLASS_MANAGEMENT_SERVICE_PII_HASH_KEY to the new key and
CLASS_MANAGEMENT_SERVICE_OLD_PII_HASH_KEY to the old one (an environment variable, not an
argument: arguments are visible to every user of the host in the process list), and run with
--rehash; every student's email hash is recomputed from the decrypted email. Until it
finishes, lookups by email (duplicate checks, roster imports) may miss students, so run it
in a maintenance window.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.adapters.pii import PiiCipher, normalise_email
from class_management_service.adapters.tables import essay_student_associations, students
from class_management_service.config import ClassManagementSettings
from huleedu_service_libs.db import (
    EncryptedColumns,
    RowHook,
    create_engine_from_settings,
    reencrypt_table,
)


@dataclass
class TableReport:
    """What happened to one table's encrypted columns."""

    rows: int = 0
    values_reencrypted: int = 0
    values_current: int = 0
    hashes_changed: int = 0
    hashes_unexpected: int = 0  # matched neither the old nor the new hash key


_STUDENTS = EncryptedColumns(students, ("student_id",), ("name_ciphertext", "email_ciphertext"))
_REHASHED_STUDENTS = EncryptedColumns(
    students,
    ("student_id",),
    ("name_ciphertext", "email_ciphertext"),
    extra_columns=("email_hash",),
)
_ASSOCIATIONS = EncryptedColumns(
    essay_student_associations,
    ("batch_id", "file_upload_id"),
    ("parsed_name_ciphertext", "parsed_email_ciphertext", "filename_ciphertext"),
)
OLD_HASH_KEY_ENV = "CLASS_MANAGEMENT_SERVICE_OLD_PII_HASH_KEY"


class KeyRotation:
    """Re-encrypts (and re-hashes) stored PII in keyset-paged batches (the shared loop)."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: ClassManagementSettings,
        *,
        rehash_from: str | None = None,
        batch_size: int = 500,
    ) -> None:
        self._engine = engine
        self._cipher = PiiCipher(settings.pii_encryption_keys, settings.pii_hash_key)
        self._old_hash_key = rehash_from.encode() if rehash_from else None
        self._batch_size = batch_size

    async def run(self) -> dict[str, TableReport]:
        """Rotate both tables; the per-table counts."""
        students_report = TableReport()
        old_key = self._old_hash_key
        rehash = self._rehash(students_report, old_key) if old_key else None
        return {
            "students": await self._rotate(
                _REHASHED_STUDENTS if rehash else _STUDENTS, students_report, rehash
            ),
            "essay_student_associations": await self._rotate(_ASSOCIATIONS, TableReport(), None),
        }

    async def _rotate(
        self, target: EncryptedColumns, report: TableReport, hook: RowHook | None
    ) -> TableReport:
        done = await reencrypt_table(
            self._engine, target, self._cipher.keyring, batch_size=self._batch_size, hook=hook
        )
        report.rows = done.rows
        report.values_reencrypted = done.values_reencrypted
        report.values_current = done.values_current
        return report

    def _rehash(self, report: TableReport, old_key: bytes) -> RowHook:
        def hook(values: Mapping[str, Any], change: dict[str, Any]) -> bool:
            email = self._cipher.decrypt(bytes(values["email_ciphertext"]))
            new_hash = self._cipher.email_hash(email)
            change["email_hash"] = new_hash
            if new_hash == values["email_hash"]:
                return False
            report.hashes_changed += 1
            if values["email_hash"] != _hash_under(old_key, email):
                report.hashes_unexpected += 1
            return True

        return hook


def _hash_under(key: bytes, email: str) -> str:
    """The email's lookup hash under `key` (the same HMAC the cipher uses)."""
    digest = hmac.new(key, normalise_email(email).encode(), hashlib.sha256)
    return digest.hexdigest()


def _print(reports: dict[str, TableReport]) -> None:
    for name, r in reports.items():
        line = (
            f"{name}: {r.rows} rows, {r.values_reencrypted} values re-encrypted, "
            f"{r.values_current} already under the primary key"
        )
        if name == "students":
            line += f", {r.hashes_changed} email hashes recomputed"
            if r.hashes_unexpected:
                line += f" ({r.hashes_unexpected} matched neither hash key)"
        print(line)


async def rotate(argv: Sequence[str] | None = None) -> dict[str, TableReport]:
    """Parse arguments, rotate with the configured keys, print and return the counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--rehash",
        action="store_true",
        help=f"recompute email hashes; the old hash key is read from {OLD_HASH_KEY_ENV}",
    )
    args = parser.parse_args(argv)
    old_hash_key: str | None = None
    if args.rehash:
        old_hash_key = os.environ.get(OLD_HASH_KEY_ENV, "").strip()
        if not old_hash_key:
            parser.error(f"--rehash needs the old hash key in {OLD_HASH_KEY_ENV}")
    settings = ClassManagementSettings()
    engine = create_engine_from_settings(settings)
    try:
        rotation = KeyRotation(
            engine, settings, rehash_from=old_hash_key, batch_size=args.batch_size
        )
        reports = await rotation.run()
    finally:
        await engine.dispose()
    _print(reports)
    return reports


def main() -> None:
    """Entry point of `python -m class_management_service.rotate_keys`."""
    asyncio.run(rotate())


if __name__ == "__main__":
    main()
