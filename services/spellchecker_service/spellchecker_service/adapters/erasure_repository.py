"""ErasedResults on the erasure's session."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from spellchecker_service.adapters.tables import spellcheck_results


class PostgresErasedResults:
    """Deletes spellcheck_results rows by (batch_id, essay_id)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def delete(self, essays: Sequence[tuple[str, str]]) -> int:
        """Every result (all requests) of these essays."""
        key = tuple_(spellcheck_results.c.batch_id, spellcheck_results.c.essay_id)
        done = await self._session.execute(delete(spellcheck_results).where(key.in_(list(essays))))
        return int(getattr(done, "rowcount", 0) or 0)
