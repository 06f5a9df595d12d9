"""Lists ask for the documented maximum page by default, and docs/pagination.md says which."""

from __future__ import annotations

import re
from pathlib import Path

import concur_async
from concur_async.testing import LocalConcur

PAGINATION = Path(__file__).resolve().parents[1] / "docs" / "pagination.md"


async def test_5000_vendors_take_5_requests_without_a_page_size() -> None:
    async with LocalConcur(vendors=5_000) as concur, concur.client() as client:
        assert len([v async for v in client.invoice.vendors.list()]) == 5_000
        assert concur.stats.count("GET", "/api/v3.1/invoice/vendors") == 5
        # An explicit page size still wins.
        assert len(await client.invoice.vendors.list(page_size=2_000 // 4).collect()) == 5_000
        assert concur.stats.count("GET", "/api/v3.1/invoice/vendors") == 5 + 10


def test_the_documented_defaults_are_the_operations_maxima() -> None:
    text = PAGINATION.read_text(encoding="utf-8")
    table = text[text.index("<!-- page-size-defaults"):]
    documented = {name: int(size.replace(",", "")) for name, size in
                  re.findall(r"^\| `([\w.]+)` \| ([\d,]+) \|$", table, re.M)}
    actual = {o.name: o.max_page_size for o in concur_async.operations() if o.max_page_size}
    assert documented == actual
