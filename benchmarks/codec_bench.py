"""Codec speed: one realistic 1,000-vendor page decoded as JSON and as XML.

    python -m benchmarks.codec_bench [--repeats N]

Contenders, run alternately in each round so that machine noise hits all of them alike:

- ``codec json -> structs``: ``concur_async._codec.decode(page, VendorCollection, "json")``
- ``codec xml -> structs``: the same page as Concur's XML, into the same structs
- ``json.loads -> dicts``: the standard library, untyped (what most integrations do)
- ``msgspec.json -> dicts``: msgspec without a schema, untyped
- the lenient reading of answers (issue 13) against what it replaced, on the same page: the
  strict reading (required fields, input limits and enumerations enforced on answers), a
  page with numbers written as strings (msgspec's lax mode), a page with booleans where text
  is declared (the mending pass), and structs with fields sorted as strings instead of in
  wire order (issue 16)

Each round decodes the page enough times to run for about ``ROUND_SECONDS``; the table shows
items per second (median, min-max over the rounds) and the XML/JSON time ratio, whose goal is
at most 4. ``run()`` returns the rows for the benchmark runner.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, get_args, get_origin, get_type_hints

import msgspec

from concur_async import _codec
from concur_async._model import sent_form
from concur_async.invoice.vendor_models import Status, VendorBank
from concur_async.invoice.vendors import Vendor, VendorCollection

__all__ = ["PAGE_SIZE", "page", "run"]

PAGE_SIZE = 1000
STRICT = "strict json -> structs (before lenient answers)"
LAX = "codec json, numbers as strings"
MENDED = "codec json, booleans where text is declared"
STRING_ORDER = "json -> structs with fields sorted as strings"
ROUND_SECONDS = 0.4
XML_GOAL = 4.0

_PLACES = (
    ("US", "USD", "United States", "MN", "Minneapolis"),
    ("GB", "GBP", "United Kingdom", "", "London"),
    ("DE", "EUR", "Germany", "", "Berlin"),
    ("CA", "CAD", "Canada", "ON", "Toronto"),
)


def _vendor(i: int) -> Vendor:
    """A vendor as a Concur list answer carries it: addresses, contacts, customs, one bank."""
    country, currency, country_name, state, city = _PLACES[i % len(_PLACES)]
    code = f"V{i:07d}"
    return Vendor(
        id=f"{code}-MAIN",
        uri=f"https://us.api.concursolutions.com/api/v3.1/invoice/vendors/{code}",
        vendor_code=code,
        address_code="MAIN",
        vendor_name=f"Vendor {i:07d} Office Supplies & Logistics",
        address1=f"{i % 9999 + 1} Market Street",
        address2="Suite 100" if i % 3 == 0 else None,
        city=city,
        state=state,
        postal_code=f"{10000 + i % 90000}",
        country=country_name,
        country_code=country,
        currency_code=currency,
        approved="true" if i % 10 else "false",
        payment_method_type=("ACH", "CHECK", "WIRE", "CARD")[i % 4],
        payment_terms=30,
        discount_percentage="2.00",
        discount_terms_days="10",
        tax_id=f"{i:09d}",
        account_number=f"AC{i:08d}",
        contact_email=f"ap{i}@vendor{i % 100}.example",
        contact_first_name="Dana",
        contact_last_name="Smith",
        contact_phone_number="+1 612 555 0100",
        custom1="Office Supplies",
        custom2=f"CC-{i % 50:03d}",
        is_visible_for_content_extraction="true",
        vendor_group_list=["Preferred", "Domestic"] if i % 2 else ["Preferred"],
        vendor_bank_list=[
            VendorBank(
                account_number=f"{i:012d}", account_type="CHCK", address_code="MAIN",
                bank_name="First Bank", is_active="true", name_on_account=f"Vendor {i}",
                routing_number="091000019", vendor_code=code,
            )
        ],
        status_list=[Status(code=0, message="OK", record_number=i + 1, type="INFO")],
    )


def page(size: int = PAGE_SIZE) -> tuple[bytes, bytes]:
    """One list answer of ``size`` vendors, as JSON and as XML, with a NextPage link."""
    collection = VendorCollection(
        vendor=[_vendor(i) for i in range(size)],
        next_page="https://us.api.concursolutions.com/api/v3.1/invoice/vendors?offset=abc&limit=1000",
        total_count=50_000,
    )
    return _codec.encode(collection, "json"), _codec.encode(collection, "xml")


def _quirky(as_json: bytes) -> tuple[bytes, bytes]:
    """The page as Concur also writes it: numbers as strings (read by msgspec's lax mode), and
    ``Approved`` as a JSON boolean where text is declared (mended on the slow path)."""
    data = msgspec.json.decode(as_json)
    for vendor in data["Vendor"]:
        vendor["PaymentTerms"] = str(vendor["PaymentTerms"])
        for status in vendor["StatusList"]:
            status["Code"] = str(status["Code"])
            status["RecordNumber"] = str(status["RecordNumber"])
    lax = msgspec.json.encode(data)
    for vendor in data["Vendor"]:
        vendor["Approved"] = vendor["Approved"] == "true"
    return lax, msgspec.json.encode(data)


class _LaxPage(VendorCollection, kw_only=True):
    """The page type again: the codec keeps per type whether its answers need lax mode or
    mending, and the quirky pages must not switch the documented page's reading."""


class _MendedPage(VendorCollection, kw_only=True):
    """The same, for the page whose booleans stand where text is declared."""


def _sorted_as_strings(cls: Any) -> Any:
    """``cls`` (and the structs it holds) with fields declared as the generator used to: sorted
    as strings (``Custom1, Custom10, ... Custom2``) rather than in wire order."""
    hints = get_type_hints(cls)
    fields = []
    for f in sorted(msgspec.structs.fields(cls), key=lambda f: f.encode_name):
        hint = hints[f.name]
        inner = [a for a in get_args(hint) if a is not type(None)]
        if inner and get_origin(inner[0]) is list and _is_struct(get_args(inner[0])[0]):
            hint = list[_sorted_as_strings(get_args(inner[0])[0])] | None  # type: ignore[misc]
        elif inner and _is_struct(inner[0]):
            hint = _sorted_as_strings(inner[0]) | None
        fields.append((f.name, hint, msgspec.field(name=f.encode_name, default=None)))
    return msgspec.defstruct(cls.__name__, fields, kw_only=True, gc=False)


def _is_struct(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, msgspec.Struct)


def _contenders(as_json: bytes, as_xml: bytes) -> dict[str, Callable[[], int]]:
    decoder = msgspec.json.Decoder()
    # The reading before issue 13: required fields, input limits and enumerations enforced on
    # answers too (the request form of the same structs), strict types.
    strict = msgspec.json.Decoder(sent_form(VendorCollection), float_hook=Decimal)
    lax, mended = _quirky(as_json)
    sorted_as_strings = msgspec.json.Decoder(_sorted_as_strings(VendorCollection),
                                             strict=False, float_hook=Decimal)

    def string_order_json() -> int:
        return len(sorted_as_strings.decode(as_json).vendor or [])

    def strict_json() -> int:
        return len(strict.decode(as_json).vendor or [])

    def lax_json() -> int:
        return len(_codec.decode(lax, _LaxPage, "json").vendor or [])

    def mended_json() -> int:
        return len(_codec.decode(mended, _MendedPage, "json").vendor or [])

    def codec_json() -> int:
        return len(_codec.decode(as_json, VendorCollection, "json").vendor or [])

    def codec_xml() -> int:
        return len(_codec.decode(as_xml, VendorCollection, "xml").vendor or [])

    def stdlib_json() -> int:
        return len(json.loads(as_json)["Vendor"])

    def msgspec_json() -> int:
        return len(decoder.decode(as_json)["Vendor"])

    return {
        "codec json -> structs": codec_json,
        "codec xml -> structs": codec_xml,
        "json.loads -> dicts": stdlib_json,
        "msgspec.json -> dicts": msgspec_json,
        STRICT: strict_json,
        STRING_ORDER: string_order_json,
        LAX: lax_json,
        MENDED: mended_json,
    }


def _round(fn: Callable[[], int], loops: int) -> float:
    """Items per second over ``loops`` decodes."""
    started = time.perf_counter()
    items = sum(fn() for _ in range(loops))
    return items / (time.perf_counter() - started)


def run(repeats: int = 5) -> list[dict[str, Any]]:
    """One row per contender: items/s median, min and max over ``repeats`` alternating rounds."""
    as_json, as_xml = page()
    contenders = _contenders(as_json, as_xml)
    loops = {}
    for name, fn in contenders.items():
        fn()  # warm caches (decoders, shapes) outside the measurement
        once = time.perf_counter()
        fn()
        loops[name] = max(1, round(ROUND_SECONDS / max(time.perf_counter() - once, 1e-6)))
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            samples[name].append(_round(fn, loops[name]))
    rows = []
    for name, rates in samples.items():
        rows.append({
            "scenario": "codec: 1,000-vendor page",
            "contender": name,
            "items_per_s_median": statistics.median(rates),
            "items_per_s_min": min(rates),
            "items_per_s_max": max(rates),
            "repeats": repeats,
            "page_bytes": len(as_xml) if "xml" in name else len(as_json),
        })
    ratio = _ratio(rows)
    for row in rows:
        row["xml_over_json_time"] = ratio
        row["xml_goal_met"] = ratio <= XML_GOAL
    return rows


def _ratio(rows: list[dict[str, Any]]) -> float:
    rate = {row["contender"]: row["items_per_s_median"] for row in rows}
    return float(rate["codec json -> structs"] / rate["codec xml -> structs"])


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'contender':<24} {'items/s median':>15} {'min - max':>25} {'page bytes':>11}"]
    for row in rows:
        spread = f"{row['items_per_s_min']:,.0f} - {row['items_per_s_max']:,.0f}"
        lines.append(f"{row['contender']:<24} {row['items_per_s_median']:>15,.0f} "
                     f"{spread:>25} {row['page_bytes']:>11,}")
    ratio = rows[0]["xml_over_json_time"]
    verdict = "met" if ratio <= XML_GOAL else "MISSED"
    lines.append(f"XML / JSON decode time: {ratio:.2f}x (goal <= {XML_GOAL:.0f}x: {verdict}); "
                 f"{rows[0]['repeats']} alternating rounds")
    rate = {row["contender"]: row for row in rows}
    json_rate = rate["codec json -> structs"]["items_per_s_median"]
    for name, against in ((STRICT, "lenient answers vs the strict reading"),
                          (STRING_ORDER, "wire order vs fields sorted as strings")):
        lines.append(f"{against}: {json_rate / rate[name]['items_per_s_median']:.2f}x the "
                     f"throughput (same page, same run)")
    for name in (LAX, MENDED):
        lines.append(f"{name}: {rate[name]['items_per_s_median'] / json_rate:.2f}x the "
                     f"throughput of the page as documented")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.codec_bench", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(table(run(args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
