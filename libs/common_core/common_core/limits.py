"""Limits of the platform that more than one service (and the public API) enforce."""

from __future__ import annotations

from typing import Final

# The most essays one batch may hold: its expected essay count, so its essay slots.
MAX_ESSAYS_PER_BATCH: Final = 500
