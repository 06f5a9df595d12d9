"""Receipt images as request bodies: from bytes, a file path or an async stream, checked first.

Concur takes receipts as PNG, JPEG, GIF, PDF or TIFF. The type is read from the file's first
bytes (or checked against them when the caller names it) and any documented size limit is
enforced before a request is sent, so a wrong file fails here with ``ValidationError`` rather
than as an opaque 400 after the upload.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator, Collection
from pathlib import Path

import anyio

from ._errors import ValidationError

__all__ = ["RECEIPT_TYPES", "FileChunks", "Upload", "image_body", "sniff"]

#: What a receipt image may be: bytes, a path to a file, or an async stream of chunks.
Upload = bytes | str | os.PathLike[str] | AsyncIterable[bytes]

#: The receipt formats Concur documents, by media type, with their leading bytes.
RECEIPT_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}
_HEAD = 16
_CHUNK = 64 * 1024


def sniff(head: bytes) -> str | None:
    """The receipt media type these leading bytes begin, or None."""
    for media, magics in RECEIPT_TYPES.items():
        if head.startswith(magics):
            return media
    return None


async def image_body(
    source: Upload,
    *,
    content_type: str | None = None,
    max_bytes: int | None = None,
    accept: Collection[str] | None = None,
) -> tuple[bytes | AsyncIterable[bytes], str]:
    """The body to send for ``source`` and its media type, after checking both.

    Bytes are sent as they are. A file is streamed in chunks, read again if the upload is
    retried, unless a size limit applies (then it is read: the limit bounds the memory). An
    async stream is streamed likewise, or read up to the limit; it cannot be sent twice, so a
    failed upload of a stream is not retried. ``accept`` narrows the media types to those the
    API takes.
    """
    body: bytes | AsyncIterable[bytes]
    if isinstance(source, bytes):
        _check_size(len(source), max_bytes)
        body, media = source, _media(source[:_HEAD], content_type)
    elif isinstance(source, str | os.PathLike):
        body, media = await _file_body(Path(source), content_type, max_bytes)
    elif isinstance(source, AsyncIterable):
        body, media = await _stream_body(source, content_type, max_bytes)
    else:
        raise ValidationError(
            f"a receipt image is bytes, a file path or an async stream of bytes, "
            f"not {type(source).__name__}"
        )
    if accept is not None and media not in accept:
        # An API may take fewer formats than receipts come in (Image v1.0: no GIF or TIFF).
        raise ValidationError(f"the image is {media}; this API takes {', '.join(accept)}")
    return body, media


async def _file_body(
    path: Path, content_type: str | None, max_bytes: int | None
) -> tuple[bytes | AsyncIterable[bytes], str]:
    try:
        size = (await anyio.Path(path).stat()).st_size
        async with await anyio.open_file(path, "rb") as file:
            head = await file.read(_HEAD)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationError(f"cannot read the receipt image {path.name!r}: {reason}") from None
    _check_size(size, max_bytes)
    media = _media(head, content_type)
    if max_bytes is not None:
        return await anyio.Path(path).read_bytes(), media
    return FileChunks(path), media


class FileChunks:
    """A file sent in chunks, read afresh on each iteration: a retried upload resends it whole."""

    #: The client may send this body again (an async generator it could not).
    replayable = True

    def __init__(self, path: Path) -> None:
        self.path = path

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path, "rb") as file:
            while chunk := await file.read(_CHUNK):
                yield chunk


async def _stream_body(
    source: AsyncIterable[bytes], content_type: str | None, max_bytes: int | None
) -> tuple[bytes | AsyncIterable[bytes], str]:
    chunks = aiter(source)
    head = b""
    async for chunk in chunks:
        head += chunk
        if len(head) >= _HEAD or (max_bytes is not None and len(head) > max_bytes):
            break
    if max_bytes is not None:
        # A limit small enough to document is small enough to hold: read it all, then send.
        buffer = bytearray(head)
        _check_size(len(buffer), max_bytes)
        async for chunk in chunks:
            buffer += chunk
            _check_size(len(buffer), max_bytes)
        return bytes(buffer), _media(head[:_HEAD], content_type)
    return _chain(head, chunks), _media(head[:_HEAD], content_type)


async def _chain(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk


def _check_size(size: int, max_bytes: int | None) -> None:
    if size == 0:
        raise ValidationError("the receipt image is empty")
    if max_bytes is not None and size > max_bytes:
        raise ValidationError(
            f"the receipt image is {size:,} bytes; Concur takes at most {max_bytes:,}"
        )


def _media(head: bytes, content_type: str | None) -> str:
    found = sniff(head)
    if content_type is None:
        if found is None:
            raise ValidationError(
                "the receipt image is not PNG, JPEG, GIF, PDF or TIFF (by its first bytes)"
            )
        return found
    named = content_type.split(";")[0].strip().lower()
    if named not in RECEIPT_TYPES:
        raise ValidationError(
            f"content type {content_type!r} is not one Concur takes for receipts: "
            f"{', '.join(RECEIPT_TYPES)}"
        )
    if found is not None and found != named:
        raise ValidationError(f"the receipt image is {found}, not {named} as named")
    return named
