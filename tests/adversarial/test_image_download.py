"""Image downloads from a hostile or broken storage host, played by servers written here."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import APIError, ConcurClient, ConcurError, StaticToken, TransportError


def ok_api(request: web.Request) -> web.Response:
    return web.json_response({"path": request.path})


async def test_the_storage_host_never_sees_the_token_even_on_the_clients_own_origin() -> None:
    """The signed link is the permission: the token stays home, even when the link points at
    the very host the client calls its API on."""
    authorizations: list[str | None] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        authorizations.append(request.headers.get("Authorization"))
        if request.path.startswith("/files/"):
            return web.Response(body=b"%PDF-1.7 receipt")
        return ok_api(request)

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=StaticToken("at-SECRET"), base_url=base) as client,
    ):
        await client.request("GET", "/api/warm")
        chunks = [c async for c in client.image.stream(f"{base}/files/r1?sig=abc")]
    assert b"".join(chunks) == b"%PDF-1.7 receipt"
    assert authorizations == ["Bearer at-SECRET", None]


async def test_a_redirect_to_plain_http_elsewhere_is_not_followed(tmp_path: Path) -> None:
    """The link is a credential and the file is private: a storage host redirecting to plain
    HTTP on a non-loopback address (0.0.0.0 reaches this machine, yet is not loopback) must
    not be followed, and nothing is saved."""
    reached: list[str] = []

    async def plain(request: web.Request) -> web.StreamResponse:
        reached.append(request.path_qs)
        return web.Response(body=b"leaked over plain HTTP")

    async with loopback_server(plain) as target:
        port = target.rsplit(":", 1)[1]

        async def storage(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(f"http://0.0.0.0:{port}/copy?sig=abc")

        async with (
            loopback_server(storage) as base,
            ConcurClient(auth=StaticToken("at-SECRET"), base_url=base) as client,
        ):
            with pytest.raises(ConcurError):
                await client.image.download(f"{base}/files/r1?sig=abc", to=tmp_path / "r.pdf")
    assert reached == []
    assert list(tmp_path.iterdir()) == []


async def test_an_endless_error_answer_is_cut() -> None:
    """An expired link answers 403 with a body that never ends: an APIError, read capped."""
    sent = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        resp = web.StreamResponse(status=403, headers={"Content-Type": "text/plain"})
        await resp.prepare(request)
        try:
            while sent < 256 * 1024 * 1024:
                await resp.write(b"x" * 65536)
                sent += 65536
        except ConnectionError:
            pass
        return resp

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=StaticToken("at-SECRET"), base_url=base) as client,
    ):
        with pytest.raises(APIError) as caught:
            async for _ in client.image.stream(f"{base}/files/r1?sig=abc"):
                pass
    assert caught.value.status == 403
    assert sent < 64 * 1024 * 1024


async def test_a_connection_cut_mid_file_leaves_no_file(tmp_path: Path) -> None:
    """Content-Length promises a megabyte, the host sends half and hangs up: a TransportError,
    and no partial file under the name (nor a temporary one beside it)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": str(2**20)})
        await resp.prepare(request)
        await resp.write(b"\0" * 2**19)
        assert request.transport is not None
        request.transport.close()
        return resp

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=StaticToken("at-SECRET"), base_url=base) as client,
    ):
        with pytest.raises(TransportError) as caught:
            await client.image.download(f"{base}/files/r1?sig=SECRETSIG", to=tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []
    assert "SECRETSIG" not in str(caught.value)


async def test_the_file_is_streamed_not_loaded_whole() -> None:
    """The first chunk reaches the caller while the host still holds the rest back: the
    download cannot be buffering the whole file (synchronised on events, not on time)."""
    first_taken = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "image/png"})
        await resp.prepare(request)
        await resp.write(b"head" * 1024)
        await first_taken.wait()  # the rest only once the caller holds the first part
        await resp.write(b"tail" * 1024)
        await resp.write_eof()
        return resp

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=StaticToken("at-SECRET"), base_url=base) as client,
    ):
        received = b""
        async with asyncio.timeout(10):  # a whole-file read would wait here forever
            async for chunk in client.image.stream(f"{base}/files/r1?sig=abc"):
                received += chunk
                first_taken.set()
    assert received == b"head" * 1024 + b"tail" * 1024


@pytest.mark.parametrize("url", [
    "http://files.example.com/r1?sig=abc",
    "ftp://127.0.0.1/r1",
    "file:///etc/passwd",
    "https:///nohost",
])
async def test_only_https_links_are_fetched(url: str) -> None:
    async with ConcurClient(auth=StaticToken("at-SECRET"),
                            base_url="https://us.api.concursolutions.com") as client:
        with pytest.raises(ConcurError):
            client.image.stream(url)


async def test_redirects_within_https_or_loopback_are_still_followed_but_not_forever() -> None:
    """A storage host may move a file: a redirect the link check allows is followed, without
    the token; one that never ends is an error, not a loop."""
    hops: list[str | None] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        hops.append(request.headers.get("Authorization"))
        if request.path == "/moved":
            raise web.HTTPTemporaryRedirect("/files/final?sig=abc")
        if request.path == "/loop":
            raise web.HTTPFound("/loop")
        return web.Response(body=b"image bytes")

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=StaticToken("at-SECRET"), base_url=base) as client,
    ):
        chunks = [c async for c in client.image.stream(f"{base}/moved")]
        assert b"".join(chunks) == b"image bytes"
        with pytest.raises(TransportError):
            async for _ in client.image.stream(f"{base}/loop"):
                pass
    assert hops[:2] == [None, None]
    assert len(hops) == 2 + 6
    assert set(hops) == {None}
