"""The request seam: what resources, paginators, families and bulk need of a client.

They type against this small protocol rather than ``ConcurClient``, so the client may import
the families it serves without the families importing the client back.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

import msgspec

if TYPE_CHECKING:
    import aiohttp

__all__ = ["Peek", "Requester", "WireFormat"]

WireFormat = Literal["json", "xml"]

#: Shown a page's raw body before it is decoded: how a paging style reads ahead.
Peek = Callable[[bytes], Awaitable[None]]


class Requester(Protocol):
    """Sends one API call (or fetches one page) through limits, auth and retries, and decodes
    the answer in one place."""

    wire_format: WireFormat

    @property
    def session(self) -> aiohttp.ClientSession:
        """The open HTTP session, for what is fetched without the token (signed image URLs)."""
        ...

    async def request(
        self,
        method: str,
        url: str,
        *,
        response_type: Any = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        xml: msgspec.Struct | bytes | str | None = None,
        body: msgspec.Struct | None = None,
        root: str | None = None,
        content: bytes | AsyncIterable[bytes] | aiohttp.FormData | None = None,
        headers: Mapping[str, str] | None = None,
        wire_format: WireFormat | None = None,
        idempotent: bool | None = None,
        family: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per attempt, not overall
    ) -> Any: ...

    async def fetch_page(
        self,
        url: str,
        page_type: Any,
        *,
        params: Mapping[str, Any] | None = None,
        wire_format: WireFormat | None = None,
        family: str | None = None,
        peek: Peek | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per attempt, not overall
    ) -> Any: ...
