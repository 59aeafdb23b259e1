"""One aiohttp session per process, opened lazily inside the running loop."""

from __future__ import annotations

import aiohttp


class LazyHttpSession:
    """Creates the session on first use (in the event loop) and closes it on shutdown."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        """The open session, created (again) if there is none or it was closed."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the session if one was opened."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()
