"""Move what a service builds at startup out of the garbage collector's generations.

Modules, classes, settings, the DI container, pools and clients live as long as the process;
after `gc.freeze()` the collector no longer walks them on every full collection, so those
collections cost what the requests allocate, not what the process imported.
"""

from __future__ import annotations

import gc
import time

import structlog

__all__ = ["freeze_after_startup", "freeze_long_lived"]

logger = structlog.get_logger(__name__)

_frozen_at_startup = False


def freeze_long_lived(reason: str) -> int:
    """Collect, then freeze everything still alive; the number of objects now frozen."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info(
        "gc.frozen",
        reason=reason,
        objects=frozen,
        ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return frozen


def freeze_after_startup(enabled: bool) -> bool:
    """Freeze once per process, when the first app's startup finished; True if it did now."""
    global _frozen_at_startup
    if not enabled or _frozen_at_startup:
        return False
    _frozen_at_startup = True
    freeze_long_lived("startup")
    return True
