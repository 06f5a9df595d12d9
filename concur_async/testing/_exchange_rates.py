"""Exchange Rates v3.0: ``GET /api/v3.0/expense/exchangerates``, answering a bare decimal.

Rates come from a fixed table of units per US dollar, crossed through the dollar and rounded
to six places; the same currency is 1, and, as Concur documents, a date before 2000-01-01
gives 1 and a date in the future today's rate. JSON answers the number itself, XML a
``<decimal>`` element in the serialization namespace Concur's .NET services use.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aiohttp import web

from ._wire import JSON, XML, Failure, wants_xml

__all__ = ["PER_DOLLAR", "register"]

#: Units of each currency for one US dollar (tests may change them).
PER_DOLLAR: dict[str, Decimal] = {
    "USD": Decimal(1), "EUR": Decimal("0.92"), "GBP": Decimal("0.79"), "CAD": Decimal("1.36"),
    "JPY": Decimal("149.5"), "CHF": Decimal("0.88"), "INR": Decimal("83.2"),
    "MXN": Decimal("17.1"), "BRL": Decimal("4.97"), "SEK": Decimal("10.4"),
}
_EPOCH = date(2000, 1, 1)
_NS = 'xmlns="http://schemas.microsoft.com/2003/10/Serialization/"'


async def _rate(request: web.Request) -> web.Response:
    query = request.query
    source, target = query.get("fromCurrency", "").upper(), query.get("toCurrency", "").upper()
    for name, code in (("fromCurrency", source), ("toCurrency", target)):
        if code not in PER_DOLLAR:
            raise Failure(400, f"{name} {code or '(missing)'} is not a known currency code.",
                          code="INVALID_CURRENCY")
    try:
        day = date.fromisoformat(query["forDate"][:10]) if query.get("forDate") else date.today()
    except ValueError:
        raise Failure(400, "forDate must be YYYY-MM-DD.", code="INVALID_DATE") from None
    if day < _EPOCH or source == target:
        rate = Decimal(1)
    else:
        rate = (PER_DOLLAR[target] / PER_DOLLAR[source]).quantize(Decimal("0.000001"))
    if wants_xml(request):
        body = f"<decimal {_NS}>{rate}</decimal>"
        return web.Response(body=body.encode(), headers={"Content-Type": XML})
    return web.Response(body=str(rate).encode(), headers={"Content-Type": JSON})


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/api/v3.0/expense/exchangerates", _rate)
    # The .NET client and Concur's own examples call it with a trailing slash.
    router.add_get("/api/v3.0/expense/exchangerates/", _rate)
