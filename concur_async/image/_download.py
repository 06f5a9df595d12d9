"""Image downloads: the short-lived URL Concur answers, fetched in chunks.

The URL is signed (its query string is the permission) and may point to a storage host
outside Concur's domain, so it is fetched without the client's token, once: a link expired by
a retry's wait is worth less than a fresh one from the ``*_url`` call.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp
import anyio
from yarl import URL

from .._errors import TransportError, ValidationError, api_error, redact_url
from .._files import replacing
from .._transport import is_loopback, read_capped

if TYPE_CHECKING:
    from .._requester import Requester

__all__ = ["Downloads"]

_CHUNK = 64 * 1024
#: An error answer worth reading is short; a larger one is cut here.
_ERROR_BODY_CAP = 64 * 1024
_MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Downloads:
    """``stream`` and ``download`` for the URLs the Image API answers."""

    _client: Requester

    def stream(self, url: str, *, chunk_size: int = _CHUNK) -> AsyncIterator[bytes]:
        """The file at ``url`` (``Image.url``), in chunks of at most ``chunk_size`` bytes.

        ``async for chunk in client.image.stream(image.url): ...``; raises ``APIError`` when
        the link is refused (expired links answer 403) and ``TransportError`` when the
        connection fails.
        """
        _check(url)
        if chunk_size < 1:
            raise ValidationError("chunk_size must be at least 1")
        return self._chunks(url, chunk_size)

    async def download(self, url: str, *, to: str | os.PathLike[str]) -> int:
        """Save the file at ``url`` as ``to`` and return its size in bytes.

        Written to a temporary file beside ``to`` and renamed once complete: a failed
        download leaves no partial file under the name.
        """
        chunks = self.stream(url)
        size = 0
        with replacing(to) as temp:
            async with await anyio.open_file(temp, "wb") as out:
                async for chunk in chunks:
                    await out.write(chunk)
                    size += len(chunk)
        return size

    async def _chunks(self, url: str, chunk_size: int) -> AsyncIterator[bytes]:
        session = self._client.session
        where = redact_url(url)
        try:
            for _ in range(_MAX_REDIRECTS + 1):
                # Redirects followed here, each hop checked like the link itself: aiohttp's
                # own following would take a storage host's redirect to plain HTTP.
                async with session.get(
                    url, headers={"Accept": "*/*"}, allow_redirects=False
                ) as resp:
                    location = resp.headers.get("Location")
                    if resp.status in _REDIRECTS and location:
                        url = str(resp.url.join(URL(location)))
                        _check(url)
                        continue
                    if resp.status >= 300:
                        body = await read_capped(resp, "GET", url, _ERROR_BODY_CAP)
                        raise api_error(resp.status, body, resp.headers, "GET", url)
                    async for chunk in resp.content.iter_chunked(chunk_size):
                        yield chunk
                    return
            raise TransportError(
                f"image download redirected more than {_MAX_REDIRECTS} times",
                method="GET", url=where,
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(
                f"image download failed: {type(exc).__name__}", method="GET", url=where
            ) from None


def _check(url: str) -> None:
    """Only HTTPS, or plain HTTP to this machine (tests): the link is a credential too."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValidationError("the image URL cannot be read") from None
    if not parts.hostname or parts.scheme not in ("http", "https") or (
        parts.scheme == "http" and not is_loopback(parts.hostname)
    ):
        raise ValidationError(
            f"refusing to download {redact_url(url)!r}: an image URL must be https"
        )
