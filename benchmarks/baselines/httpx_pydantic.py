"""Baseline (c): httpx.AsyncClient with pydantic models (validated from JSON bytes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

__all__ = ["Session", "VendorRecord"]

T = TypeVar("T")
R = TypeVar("R")


class VendorRecord(BaseModel):
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


class VendorPage(BaseModel):
    Vendor: list[VendorRecord] | None = None
    NextPage: str | None = None
    TotalCount: int | None = None


class Digest(BaseModel):
    ID: str
    PaymentRequestId: str | None = None
    Total: str | None = None


class DigestPage(BaseModel):
    PaymentRequestDigest: list[Digest] | None = None
    NextPage: str | None = None


class PaymentRequest(BaseModel):
    ID: str
    InvoiceNumber: str | None = None
    InvoiceAmount: str | None = None
    CurrencyCode: str | None = None
    ApprovalStatus: str | None = None
    PaymentStatus: str | None = None
    VendorRemitAddress: dict[str, Any] | None = None


class Session:
    """``async with Session(base_url) as s``: a token and one ``httpx.AsyncClient``."""

    def __init__(self, base_url: str, *, connections: int = 100) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=connections,
                                max_keepalive_connections=connections),
            timeout=60.0)

    async def __aenter__(self) -> Session:
        resp = await self.http.post(f"{self.base_url}/oauth2/v0/token", data={
            "grant_type": "client_credentials", "client_id": "local", "client_secret": "local",
        })
        resp.raise_for_status()
        self.http.headers.update({"Authorization": f"Bearer {resp.json()['access_token']}",
                                  "Accept": "application/json"})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def vendors(self, page_size: int) -> AsyncIterator[VendorRecord]:
        url: str | None = f"{self.base_url}/api/v3.1/invoice/vendors?limit={page_size}"
        while url:
            resp = await self.http.get(url)
            resp.raise_for_status()
            page = VendorPage.model_validate_json(resp.content)
            for vendor in page.Vendor or ():
                yield vendor
            url = page.NextPage

    async def digests(self) -> list[Digest]:
        out: list[Digest] = []
        url: str | None = f"{self.base_url}/api/v3.0/invoice/paymentrequestdigests?limit=1000"
        while url:
            resp = await self.http.get(url)
            resp.raise_for_status()
            page = DigestPage.model_validate_json(resp.content)
            out.extend(page.PaymentRequestDigest or ())
            url = page.NextPage
        return out

    async def payment_request(self, id: str) -> PaymentRequest:
        resp = await self.http.get(f"{self.base_url}/api/v3.0/invoice/paymentrequest/{id}")
        resp.raise_for_status()
        return PaymentRequest.model_validate_json(resp.content)

    async def gather_limited(
        self, fn: Callable[[T], Awaitable[R]], items: Sequence[T], concurrency: int
    ) -> list[R]:
        gate = asyncio.Semaphore(concurrency)

        async def one(item: T) -> R:
            async with gate:
                return await fn(item)

        return await asyncio.gather(*(one(item) for item in items))
