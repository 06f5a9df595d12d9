"""Baseline (b): the common script: requests, ``json.loads`` to dicts, one call at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import requests

__all__ = ["Session"]


class Session:
    """``with Session(base_url) as s``: a token and one ``requests.Session``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def __enter__(self) -> Session:
        resp = self.http.post(f"{self.base_url}/oauth2/v0/token", data={
            "grant_type": "client_credentials", "client_id": "local", "client_secret": "local",
        })
        resp.raise_for_status()
        token = json.loads(resp.content)["access_token"]
        self.http.headers.update({"Authorization": f"Bearer {token}",
                                  "Accept": "application/json"})
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def _get(self, url: str) -> Any:
        resp = self.http.get(url)
        resp.raise_for_status()
        return json.loads(resp.content)

    def vendors(self, page_size: int) -> Iterator[dict[str, Any]]:
        url = f"{self.base_url}/api/v3.1/invoice/vendors?limit={page_size}"
        while url:
            page = self._get(url)
            yield from page.get("Vendor") or ()
            url = page.get("NextPage")

    def digests(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        url = f"{self.base_url}/api/v3.0/invoice/paymentrequestdigests?limit=1000"
        while url:
            page = self._get(url)
            out.extend(page.get("PaymentRequestDigest") or ())
            url = page.get("NextPage")
        return out

    def payment_request(self, id: str) -> dict[str, Any]:
        return self._get(f"{self.base_url}/api/v3.0/invoice/paymentrequest/{id}")  # type: ignore[no-any-return]
