"""examples/fastapi_app.py: in-process over httpx's ASGI transport, and served by uvicorn."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psutil
import pytest
from fastapi import FastAPI

from concur_async.testing import LocalConcur, seed_code

from .conftest import EXAMPLES, local_env

pytestmark = pytest.mark.integration


@pytest.fixture
async def app() -> AsyncIterator[FastAPI]:
    from fastapi_app import create_app

    service = create_app(local_vendors=2500)
    async with service.router.lifespan_context(service):
        yield service


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        yield client


def codes(body: str) -> list[str]:
    return [json.loads(line)["VendorCode"] for line in body.splitlines()]


async def test_vendors_stream_as_ndjson(http: httpx.AsyncClient) -> None:
    every = await http.get("/vendors")
    assert every.status_code == 200
    assert every.headers["content-type"] == "application/x-ndjson"
    assert codes(every.text) == [seed_code(i) for i in range(2500)]
    first = json.loads(every.text.splitlines()[0])
    assert first["AddressCode"] == "MAIN"
    assert first["VendorName"].startswith("Vendor 0000000")
    limited = await http.get("/vendors", params={"limit": 1001})
    assert codes(limited.text) == [seed_code(i) for i in range(1001)]
    named = await http.get("/vendors", params={"name": "Vendor 000002"})
    assert codes(named.text) == [seed_code(i) for i in range(20, 30)]
    assert (await http.get("/vendors", params={"limit": 0})).status_code == 422


async def test_vendor_batch_answers_each_vendor(http: httpx.AsyncClient, app: FastAPI) -> None:
    batch = [
        {"VendorCode": "NEW1", "AddressCode": "MAIN", "VendorName": "New One",
         "CountryCode": "US", "CurrencyCode": "USD"},
        {"VendorCode": "NEW2", "AddressCode": "MAIN", "VendorName": "Wrong Country",
         "CountryCode": "ZZ", "CurrencyCode": "USD"},
        {"VendorCode": seed_code(3), "AddressCode": "MAIN", "VendorName": "Already There",
         "CountryCode": "US", "CurrencyCode": "USD"},
    ]
    answer = await http.post("/vendors/batch", json=batch)
    assert answer.status_code == 200
    statuses = answer.json()
    assert [(s["VendorCode"], s["status"]) for s in statuses] == [
        ("NEW1", "created"), ("NEW2", "error"), (seed_code(3), "error")]
    assert "ZZ" in statuses[1]["messages"][0]
    local: LocalConcur = app.state.local_concur
    assert local.state.vendors.get(("NEW1", "MAIN")) is not None
    assert local.state.vendors.get(("NEW2", "MAIN")) is None
    assert (await http.post("/vendors/batch", json=[])).json() == []
    bad = await http.post("/vendors/batch", json=[{"VendorCode": 7}])
    assert bad.status_code == 422
    assert "VendorCode" in bad.json()["detail"]


async def test_concur_refusals_keep_their_correlation_id(
    http: httpx.AsyncClient, app: FastAPI
) -> None:
    local: LocalConcur = app.state.local_concur
    local.faults.add("server_error", status=400, count=1, prefix="/api/v3.1/invoice/vendors")
    answer = await http.get("/vendors")
    assert answer.status_code == 400
    body = answer.json()
    assert body["concur_status"] == 400
    assert re.fullmatch(r"[0-9a-f-]{36}", body["correlation_id"])
    health = (await http.get("/health")).json()
    assert health["target"].startswith("LocalConcur at http://127.0.0.1:")
    assert health["requests"] == 1


def test_uvicorn_streams_many_vendors_in_flat_memory() -> None:
    count = 100_000
    server = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "fastapi_app.py"), "--port", "0",
         "--vendors", str(count)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=local_env(),
    )
    try:
        base_url = _wait_for_uvicorn(server)
        with httpx.Client(base_url=base_url, timeout=60) as http:
            # No warm-up: memory taken by a first request is rarely given back to the system,
            # so it would hide what a collecting implementation costs.
            process = psutil.Process(server.pid)
            before = process.memory_info().rss
            peak = _Peak(process)
            lines = size = 0
            with http.stream("GET", "/vendors") as response:
                assert response.status_code == 200
                for line in response.iter_lines():
                    if line:
                        lines += 1
                        size += len(line) + 1
            peak.stop()
        assert lines == count
        # Collecting the vendors first takes about four times the body's size (measured:
        # +170 MB for a 43 MB body); a page at a time, about a fifth of it.
        assert peak.rss - before < size / 2, (peak.rss - before, size)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for_uvicorn(server: subprocess.Popen[str]) -> str:
    assert server.stdout is not None
    deadline = time.monotonic() + 30
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
        if found:
            # Keep draining the server's output so it never blocks on a full pipe.
            threading.Thread(target=server.stdout.read, daemon=True).start()
            return found.group(1)
    raise AssertionError("uvicorn did not start:\n" + "".join(seen))


class _Peak:
    """The highest resident size of a process, sampled in a thread while work goes on."""

    def __init__(self, process: psutil.Process) -> None:
        self.rss = process.memory_info().rss
        self._process = process
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            self.rss = max(self.rss, self._process.memory_info().rss)

    def stop(self) -> Any:
        self._done.set()
        self._thread.join()
        self.rss = max(self.rss, self._process.memory_info().rss)
