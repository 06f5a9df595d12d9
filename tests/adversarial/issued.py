"""The token answers the servers of these tests issue (shared so each server shows only how it
misbehaves)."""

from __future__ import annotations

from aiohttp import web


def issued(n: int, *, prefix: str = "") -> web.Response:
    """The ``n``-th token a server gives: ``at-<prefix>n`` with its refresh token, an hour."""
    return web.json_response({"access_token": f"at-{prefix}{n}",
                              "refresh_token": f"rt-{prefix}{n}", "expires_in": 3600})
