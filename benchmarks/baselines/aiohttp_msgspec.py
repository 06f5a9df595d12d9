"""Baseline (a): an expert's hand-written aiohttp + msgspec client.

The structs declare what the expert reads from a vendor list and a payment request; the loop
follows ``NextPage`` one page at a time (the URL of the next page is only known once a page is
in) and fan-out runs under an ``asyncio.Semaphore``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import aiohttp
import msgspec

__all__ = ["Session", "VendorRecord"]

T = TypeVar("T")
R = TypeVar("R")


class VendorRecord(msgspec.Struct, kw_only=True):
    ID: str | None = None
    VendorCode: str | None = None
    AddressCode: str | None = None
    VendorName: str | None = None
    Address1: str | None = None
    Address2: str | None = None
    City: str | None = None
    State: str | None = None
    PostalCode: str | None = None
    Country: str | None = None
    CountryCode: str | None = None
    CurrencyCode: str | None = None
    Approved: str | None = None
    PaymentMethodType: str | None = None
    PaymentTerms: int | str | None = None
    TaxID: str | None = None
    AccountNumber: str | None = None
    ContactEmail: str | None = None
    Custom1: str | None = None


class VendorPage(msgspec.Struct, kw_only=True):
    Vendor: list[VendorRecord] | None = None
    NextPage: str | None = None
    TotalCount: int | None = None


class Digest(msgspec.Struct, kw_only=True):
    ID: str
    PaymentRequestId: str | None = None
    Total: str | None = None


class DigestPage(msgspec.Struct, kw_only=True):
    PaymentRequestDigest: list[Digest] | None = None
    NextPage: str | None = None


class PaymentRequest(msgspec.Struct, kw_only=True):
    ID: str
    InvoiceNumber: str | None = None
    InvoiceAmount: str | None = None
    CurrencyCode: str | None = None
    ApprovalStatus: str | None = None
    PaymentStatus: str | None = None
    VendorRemitAddress: dict[str, Any] | None = None


_vendor_pages = msgspec.json.Decoder(VendorPage)
_digest_pages = msgspec.json.Decoder(DigestPage)
_requests = msgspec.json.Decoder(PaymentRequest)


class Session:
    """``async with Session(base_url) as s``: a token and one aiohttp session."""

    def __init__(self, base_url: str, *, connections: int = 100) -> None:
        self.base_url = base_url
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Session:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.connections))
        async with session.post(f"{self.base_url}/oauth2/v0/token", data={
            "grant_type": "client_credentials", "client_id": "local", "client_secret": "local",
        }) as resp:
            resp.raise_for_status()
            token = (await resp.json())["access_token"]
        session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self._session = session
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def _get(self, url: str, decoder: msgspec.json.Decoder[T]) -> T:
        assert self._session is not None
        async with self._session.get(url) as resp:
            resp.raise_for_status()
            return decoder.decode(await resp.read())

    async def vendors(self, page_size: int) -> AsyncIterator[VendorRecord]:
        url: str | None = f"{self.base_url}/api/v3.1/invoice/vendors?limit={page_size}"
        while url:
            page = await self._get(url, _vendor_pages)
            for vendor in page.Vendor or ():
                yield vendor
            url = page.NextPage

    async def digests(self) -> list[Digest]:
        out: list[Digest] = []
        url: str | None = f"{self.base_url}/api/v3.0/invoice/paymentrequestdigests?limit=1000"
        while url:
            page = await self._get(url, _digest_pages)
            out.extend(page.PaymentRequestDigest or ())
            url = page.NextPage
        return out

    async def payment_request(self, id: str) -> PaymentRequest:
        return await self._get(
            f"{self.base_url}/api/v3.0/invoice/paymentrequest/{id}", _requests)

    async def gather_limited(
        self, fn: Callable[[T], Awaitable[R]], items: Sequence[T], concurrency: int
    ) -> list[R]:
        """``fn`` over ``items``, ``concurrency`` at a time, results in order."""
        gate = asyncio.Semaphore(concurrency)

        async def one(item: T) -> R:
            async with gate:
                return await fn(item)

        return await asyncio.gather(*(one(item) for item in items))
