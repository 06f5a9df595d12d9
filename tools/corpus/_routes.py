"""Which SDK operation a documented request line names.

The docs write a route many ways (``GET /api/v3.0/invoice/vendors``, ``GET <https://www...>
HTTPS 1.1``, ``POST {datacenter}/travelrequest/v4/requests``); the path is matched, without
case, against every operation ``concur_async.operations()`` lists. A route the SDK does not
serve still counts: it ends the previous operation's section of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import concur_async

__all__ = ["Route", "find_request", "find_url", "fragments", "match"]

#: A request line: a method, then a URL or path (possibly in <>, after a {placeholder} host).
_REQUEST = re.compile(
    r"\b(GET|POST|PUT|DELETE|PATCH)\s+<?(?:\{[^}/]*\}|https?://[^/\s>]+)?(/[^\s>?#`\"']*)",
)

#: A URL with no method (``https://{datacenterURI}/api/v3.0/...`` under "Update Invoices").
_URL = re.compile(r"https?://[^/\s]+(/[^\s>?#`\"')]*)")


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    #: The SDK method serving it (``invoice.vendors.list``); None when the SDK does not.
    name: str | None


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template.rstrip("/"))
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}/?$", re.IGNORECASE)


_OPERATIONS = sorted(
    ((op.method, _pattern(op.path), op) for op in concur_async.operations()),
    # The most literal template first: /requests/{id}/comments before /requests/{id}/{action}.
    key=lambda t: (t[2].path.count("{"), -len(t[2].path)),
)


def fragments() -> tuple[str, ...]:
    """The literal start of every served path: a page naming none of them is not ours."""
    return tuple(sorted({op.path.split("{")[0].rstrip("/") for _, _, op in _OPERATIONS}))


def match(method: str, path: str) -> Route:
    for wanted, pattern, op in _OPERATIONS:
        if wanted == method and pattern.match(path):
            return Route(method, op.path, op.name)
    return Route(method, path, None)


def find_request(line: str) -> Route | None:
    """The route a line names, if it holds a request line."""
    found = _REQUEST.search(line)
    if found is None or ("/" not in found.group(2)[1:] and len(found.group(2)) < 4):
        return None
    return match(found.group(1), found.group(2))


def find_url(line: str, method: str | None) -> Route | None:
    """The route a bare URL names, its method taken from the section (``method``)."""
    # Only a URL standing alone (a URI template), never a link inside prose.
    found = _URL.match(line.strip().strip("`"))
    if found is None:
        return None
    # Another API's URL ends the section as well (its name is None).
    return match(method or "GET", re.sub("/{2,}", "/", found.group(1)))
