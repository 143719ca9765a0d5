"""A minimal HTTP/1.1 keep-alive client for the load: light, so the server is measured.

httpx spends more CPU per request than the server under test does (on 2 cores the
client would set the pace); this client sends a GET and reads one response with a
``Content-Length``, nothing more.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Connection:
    """One keep-alive connection to ``127.0.0.1:port``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def get(self, target: str) -> tuple[int, bytes]:
        """(status, body) of ``GET target``."""
        assert self._reader is not None and self._writer is not None
        self._writer.write(f"GET {target} HTTP/1.1\r\nHost: stress\r\n\r\n".encode())
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self._reader.readexactly(length)
