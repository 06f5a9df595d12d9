"""Image v1.0: uploads to the receipt store, an entry, an invoice or a report; download URLs.

Uploads are the image itself (``Content-Type`` PDF, JPEG or PNG, at most 10 MB) and answer
``201`` with an ``Image`` whose ``Url`` is empty; an entry or an invoice takes one image, a
report appends. A URL request answers the ``Image`` with a link valid for 15 minutes, signed
like Concur's: it is fetched without the bearer token, from ``DOWNLOAD_PATH``. Image answers
are XML only, in Concur's namespace, whatever the ``Accept`` header says.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from aiohttp import web

from ._wire import XML, Failure

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["DOWNLOAD_PATH", "register"]

_BASE = "/api/image/v1.0"
#: Where the signed links point; the server lets requests here through without a token.
DOWNLOAD_PATH = "/localconcur/images/"
_TYPES = {"application/pdf", "image/jpg", "image/jpeg", "image/png"}
_MAX_BYTES = 10 * 2**20
_LINK_LIFETIME = 15 * 60.0
_NS = ('xmlns="http://www.concursolutions.com/api/image/2011/02" '
       'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"')
#: Where each kind of owner keeps its records, to refuse an upload to one that does not exist.
_OWNERS = {"expenseentry": "expense/entries", "invoice": "invoice/paymentrequests",
           "report": "expense/reports"}


def _image(image_id: str, url: str = "") -> web.Response:
    link = f"<Url>{escape(url)}</Url>" if url else "<Url />"
    body = f"<Image {_NS}>\n  <Id>{escape(image_id)}</Id>\n  {link}\n</Image>"
    return web.Response(body=body.encode(), status=200, headers={"Content-Type": XML})


def _target(request: web.Request) -> tuple[str, str | None]:
    """(kind, owner id) of an image route: ``/api/image/v1.0/<kind>[/<id>]``."""
    kind = request.path.split("/")[4]
    return kind, next(iter(request.match_info.values()), None)


class _Images:
    def __init__(self, state: ConcurState) -> None:
        self.state = state
        #: (kind, owner id) -> image ids attached, in order.
        self.attached: dict[tuple[str, str], list[str]] = {}
        #: signed link token -> (image ids, expiry on the monotonic clock).
        self.links: dict[str, tuple[list[str], float]] = {}

    async def upload(self, request: web.Request) -> web.Response:
        kind, owner = _target(request)
        media = request.content_type.lower()
        if media not in _TYPES:
            raise Failure(400, f"Images must be PDF, JPEG or PNG, not {media or 'untyped'}.",
                          code="INVALID_IMAGE_TYPE")
        if request.content_length is not None and request.content_length > _MAX_BYTES:
            raise Failure(400, "The image exceeds the 10 MB limit.", code="IMAGE_TOO_LARGE")
        data = await request.read()
        if not data:
            raise Failure(400, "The request holds no image.", code="EMPTY_IMAGE")
        if len(data) > _MAX_BYTES:
            raise Failure(400, "The image exceeds the 10 MB limit.", code="IMAGE_TOO_LARGE")
        key = (kind, owner or "")
        if owner is not None:
            if self.state.collection(_OWNERS[kind]).get(owner) is None:
                raise Failure(404, f"No {kind} with ID {owner!r}.", code="NOT_FOUND")
            if kind != "report" and self.attached.get(key):
                raise Failure(400, f"The {kind} already has an image; none can be appended.",
                              code="IMAGE_EXISTS")
        image_id = secrets.token_urlsafe(24)
        self.state.images[image_id] = (data, media)
        self.attached.setdefault(key, []).append(image_id)
        self.state.write_log.record("create", f"image/{kind}", image_id)
        response = _image(image_id)
        response.set_status(201)
        return response

    async def url(self, request: web.Request) -> web.Response:
        kind, found = _target(request)
        owner = found or ""
        ids = [owner] if kind == "receipt" and owner in self.state.images else \
            self.attached.get((kind, owner), [])
        if not ids:
            raise Failure(404, f"No image for {kind} {owner!r}.", code="NOT_FOUND")
        token = secrets.token_urlsafe(24)
        self.links[token] = (list(ids), time.monotonic() + _LINK_LIFETIME)
        # Signed like Concur's links: a query string the client must keep intact.
        url = f"{self.state.base_url}{DOWNLOAD_PATH}{token}?cid=local&val={ids[0][:8]}"
        return _image(ids[0] if kind == "receipt" else owner, url)

    async def download(self, request: web.Request) -> web.StreamResponse:
        found = self.links.get(request.match_info["token"])
        if found is None or found[1] <= time.monotonic():
            raise Failure(403, "The image link is invalid or has expired.", code="FORBIDDEN")
        images = [self.state.images[i] for i in found[0] if i in self.state.images]
        media = images[0][1] if len(images) == 1 else "application/pdf"
        response = web.StreamResponse(headers={"Content-Type": media})
        response.content_length = sum(len(data) for data, _ in images)
        await response.prepare(request)
        for data, _ in images:  # a report's images come as one document
            for start in range(0, len(data), 64 * 1024):
                await response.write(data[start:start + 64 * 1024])
        await response.write_eof()
        return response


#: Each kind's path parameter, named as the reference page names it.
_PARAMS = {"receipt": "imageId", "expenseentry": "entryId", "invoice": "requestId",
           "report": "reportId"}


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    images = _Images(state)
    router.add_post(f"{_BASE}/receipt", images.upload)
    for kind, param in _PARAMS.items():
        if kind != "receipt":
            router.add_post(f"{_BASE}/{kind}/{{{param}}}", images.upload)
        router.add_get(f"{_BASE}/{kind}/{{{param}}}", images.url)
    router.add_get(f"{DOWNLOAD_PATH}{{token}}", images.download)
