"""Re-encrypt every blob with the primary key (and encrypt blobs stored before encryption).

    python -m content_service.rotate_keys [--batch-size N]

Rotation: put the new Fernet key first in CONTENT_SERVICE_ENCRYPTION_KEYS (keeping the old
ones after it), restart, run this, then drop the old keys. Blobs already under the primary key
are left alone, so a second run (or a rerun after a crash) changes nothing. Each batch commits
on its own: the service keeps serving meanwhile. Blobs are up to tens of megabytes, so batches
are small (50 by default).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from content_service.adapters.tables import content_items
from content_service.config import ContentServiceSettings
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import (
    EncryptedColumns,
    ReencryptionReport,
    create_engine_from_settings,
    reencrypt_table,
)

BLOBS = EncryptedColumns(content_items, ("content_id",), ("data",), encrypted_flag="encrypted")


async def rotate(argv: Sequence[str] | None = None) -> ReencryptionReport:
    """Parse arguments, rotate with the configured keys, print and return the counts."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args(argv)
    settings = ContentServiceSettings()
    engine = create_engine_from_settings(settings)
    try:
        report = await reencrypt_table(
            engine, BLOBS, KeyRing(settings.encryption_keys), batch_size=args.batch_size
        )
    finally:
        await engine.dispose()
    print(
        f"content_items: {report.rows} blobs, {report.values_reencrypted} re-encrypted, "
        f"{report.values_encrypted} encrypted for the first time, "
        f"{report.values_current} already under the primary key"
    )
    return report


def main() -> None:
    """Entry point of `python -m content_service.rotate_keys`."""
    asyncio.run(rotate())


if __name__ == "__main__":
    main()
