"""Image v1.0: receipt and invoice images, uploaded to Concur and downloaded from it.

``client.image.images`` uploads an image to the user's receipt store, an expense entry, an
expense report or an invoice, and asks for the short-lived URL of one (``Image.url``).
``client.image.stream(url)`` and ``client.image.download(url, to=path)`` then fetch it in
chunks, never holding the whole file in memory. The answers' struct is
``concur_async.image.images.Image``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from ._download import Downloads
from .images import Images

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Image"]


class Image(Family, Downloads):
    """Image v1.0: uploads to a receipt store, entry, report or invoice; image downloads."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.images = Images(client)
