"""Path ids checked at the gateway, before any downstream call.

BOS, the File Service, the Result Aggregator and Class Management issue uuid4 strings.
Anything else (NUL bytes, `..`, slashes, whitespace) is refused with 422 here: a NUL reaching
PostgreSQL is a downstream 500 that any caller could use to open the shared circuit breaker,
and dot-segments would let a client steer the gateway to other internal routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

__all__ = [
    "ID_PATTERN",
    "BatchId",
    "ClassId",
    "ClassIdFilter",
    "EssayId",
    "FileUploadId",
    "StudentId",
]

# Starts with a letter or digit (so never "." or ".."), then letters, digits, "_" and "-".
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# The largest list offset: far beyond any teacher's data, well inside PostgreSQL's bigint.
MAX_OFFSET = 1_000_000
_ID_DESCRIPTION = "An id as issued by the platform (a uuid); 1-64 of A-Z a-z 0-9 _ -."

BatchId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description=f"Batch id. {_ID_DESCRIPTION}")
]
EssayId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description=f"Essay id. {_ID_DESCRIPTION}")
]
FileUploadId = Annotated[
    str,
    Path(pattern=ID_PATTERN, max_length=64, description=f"File upload id. {_ID_DESCRIPTION}"),
]
ClassId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description=f"Class id. {_ID_DESCRIPTION}")
]
StudentId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description=f"Student id. {_ID_DESCRIPTION}")
]
# The same check for an id given as a query filter: it too ends up in a downstream query.
ClassIdFilter = Annotated[
    str | None,
    Query(
        pattern=ID_PATTERN,
        max_length=64,
        description=f"Only students of this class. {_ID_DESCRIPTION}",
    ),
]
