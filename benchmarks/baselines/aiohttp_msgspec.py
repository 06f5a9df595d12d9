"""Baseline (a): an expert's hand-written aiohttp + msgspec client, as fast as one can make it.

The structs declare what the expert reads from a vendor list and a payment request, in the
order the server sends the keys (msgspec matches keys fastest in declaration order). Pages are
chained by ``NextPage``, so the expert reads its URL from the raw body's tail and puts that
request on the wire before decoding the page in hand: the server prepares the next page while
this process decodes. One reused decoder per type, the body read whole with ``resp.read()``,
nothing per item but the ``yield``, and each page let go before the next one decodes (its
structs are freed into memory the next decode reuses: about 1.1x less CPU than holding it).
``vendors(..., read_ahead=False)`` is the plain loop that asks for a page only once the one
before it is decoded; ``every_field=True`` decodes every field Vendor v3.1 documents, as the
SDK does. Fan-out runs under an ``asyncio.Semaphore``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import aiohttp
import msgspec

__all__ = ["Session", "VendorRecord", "VendorRecordFull"]

T = TypeVar("T")
R = TypeVar("R")


class VendorRecord(msgspec.Struct, kw_only=True):
    AccountNumber: str | None = None
    Address1: str | None = None
    Address2: str | None = None
    AddressCode: str | None = None
    Approved: str | None = None
    City: str | None = None
    ContactEmail: str | None = None
    Country: str | None = None
    CountryCode: str | None = None
    CurrencyCode: str | None = None
    Custom1: str | None = None
    ID: str | None = None
    PaymentMethodType: str | None = None
    PaymentTerms: int | str | None = None
    PostalCode: str | None = None
    State: str | None = None
    TaxID: str | None = None
    VendorCode: str | None = None
    VendorName: str | None = None


#: Every field Vendor v3.1 documents, in the order its reference lists them: what an expert
#: declares to read all of a vendor (the SDK's ``Vendor`` decodes the same).
_DOCUMENTED = (
    "AccountNumber Address1 Address2 Address3 AddressCode AddressImportSyncID Approved City "
    "ContactEmail ContactFirstName ContactLastName ContactPhoneNumber Country CountryCode "
    "CurrencyCode " + " ".join(f"Custom{i}" for i in range(1, 21)) + " DefaultEmployeeID "
    "DefaultExpenseTypeName DiscountPercentage DiscountTermsDays ID IsLineItemVatIncld "
    "IsVisibleForContentExtraction PaymentMethodType PaymentTerms PostalCode ProvincialTaxID "
    "PurchaseOrderContactEmail PurchaseOrderContactFirstName PurchaseOrderContactLastName "
    "PurchaseOrderContactPhoneNumber ShippingMethod ShippingTerms State StatusList TaxID "
    "TaxType URI VendorBankList VendorCode VendorFormName VendorGroupList VendorName "
    "VoucherNotes BuyerAccountNumber"
).split()
_LISTS = {"StatusList": list[dict[str, Any]], "VendorBankList": list[dict[str, Any]],
          "VendorGroupList": list[str], "PaymentTerms": int | str}
VendorRecordFull = msgspec.defstruct(
    "VendorRecordFull", [(name, _LISTS.get(name, str) | None, None) for name in _DOCUMENTED],
    kw_only=True)


class VendorPage(msgspec.Struct, kw_only=True):
    Vendor: list[VendorRecord] | None = None
    NextPage: str | None = None
    TotalCount: int | None = None


class VendorPageFull(msgspec.Struct, kw_only=True):
    Vendor: list[VendorRecordFull] | None = None  # type: ignore[valid-type]
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
_full_vendor_pages = msgspec.json.Decoder(VendorPageFull)
_next_page_url = re.compile(rb'"NextPage":"((?:[^"\\]|\\.)*)"')
_digest_pages = msgspec.json.Decoder(DigestPage)
_requests = msgspec.json.Decoder(PaymentRequest)


def _next_page(body: bytes) -> str | None:
    """``NextPage`` from the raw answer: the last occurrence of the key, read as JSON."""
    at = body.rfind(b'"NextPage":"')
    found = _next_page_url.match(body, at) if at >= 0 else None
    return msgspec.json.decode(b'"' + found.group(1) + b'"') if found else None


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

    async def _read(self, url: str) -> bytes:
        assert self._session is not None
        async with self._session.get(url) as resp:
            resp.raise_for_status()
            return await resp.read()

    async def vendors(self, page_size: int, *, read_ahead: bool = True,
                      every_field: bool = False) -> AsyncIterator[Any]:
        decoder: msgspec.json.Decoder[Any] = (_full_vendor_pages if every_field
                                              else _vendor_pages)
        first = f"{self.base_url}/api/v3.1/invoice/vendors?limit={page_size}"
        if not read_ahead:
            url: str | None = first
            while url:
                page = await self._get(url, decoder)
                for vendor in page.Vendor or ():
                    yield vendor
                url = page.NextPage
            return
        pending: asyncio.Task[bytes] | None = asyncio.ensure_future(self._read(first))
        try:
            while pending is not None:
                body = await pending
                guess = _next_page(body)
                pending = asyncio.ensure_future(self._read(guess)) if guess else None
                if pending is not None:
                    for _ in range(3):  # loop turns for the task to write its request
                        if pending.done():
                            break
                        await asyncio.sleep(0)
                page = decoder.decode(body)
                del body  # the bytes go before the items are handed over
                if page.NextPage != guess:  # the decoded page has the last word
                    if pending is not None:
                        pending.cancel()
                    pending = (asyncio.ensure_future(self._read(page.NextPage))
                               if page.NextPage else None)
                for vendor in page.Vendor or ():
                    yield vendor
                del page  # freed before the next page decodes, into memory that decode reuses
        finally:
            if pending is not None:
                pending.cancel()

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
