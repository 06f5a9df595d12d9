"""One mechanism for every plain v3 collection: list, get, create, update, delete.

A v3 resource is declared by its path, the collection holding its records, the XML root names
of its list and item answers (as the seeds spell them) and the operations it offers. Lists
answer ``{"Items": [...], "NextPage": url}`` (or the resource's own items field) with an
opaque ``offset``; any other query parameter filters on the record field of the same name
(case-insensitive), and ``xxxBefore``/``xxxAfter`` compare dates on field ``xxx``/``xxxDate``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._paging import decode_offset, encode_offset, limit_param, page_url
from ._store import Collection, Record
from ._wire import Failure, empty, read_body, reply, server_time

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["V3Resource", "fields_of", "present", "query_filter", "register"]

#: Query parameters that page, sort or name the caller rather than filter.
NOT_FILTERS = frozenset({
    "limit", "offset", "user", "sortby", "sortdirection", "sortorder", "sortfield",
    "langcode", "mode", "view", "useridtype", "start",
})
SERVER_FIELDS = ("URI",)


@dataclass(frozen=True, slots=True)
class V3Resource:
    """A v3 collection route: ``ops`` letters are List, Create, Get, Update, Delete."""

    path: str
    collection: str
    list_root: str
    item_root: str
    ops: str = "LCGUD"
    default_limit: int = 25
    max_limit: int = 100
    items_field: str = "Items"
    total: bool = False
    #: The field Concur stamps with the time of each create and update.
    modified: str | None = None
    #: How a stored record is answered, when the route is a view of another collection.
    view: Callable[[Record], Record] | None = None
    #: Query parameters that shape the answer but filter nothing.
    ignored: frozenset[str] = frozenset()


def register(router: web.UrlDispatcher, state: ConcurState, resource: V3Resource) -> None:
    handlers = _Handlers(state, resource)
    item = f"{resource.path}/{{id}}"
    table: dict[str, tuple[str, str, Callable[[web.Request], Any]]] = {
        "L": ("GET", resource.path, handlers.list),
        "C": ("POST", resource.path, handlers.create),
        "G": ("GET", item, handlers.get),
        "U": ("PUT", item, handlers.update),
        "D": ("DELETE", item, handlers.delete),
    }
    for op in resource.ops:
        method, path, handler = table[op]
        router.add_route(method, path, handler)


def present(record: Record, uri: str, base_url: str) -> Record:
    """A record as answered: with its ``URI``, and stored relative links made absolute."""
    out = dict(record)
    for name, value in record.items():
        if name.lower().endswith("uri") and isinstance(value, str) and value.startswith("/"):
            out[name] = base_url + value
    out["URI"] = uri
    return out


def fields_of(body: Any) -> Record:
    """A request body as record fields, minus those the server owns; 400 unless an object."""
    if not isinstance(body, dict) or not body:
        raise Failure(400, "The request body must be a non-empty object.", code="INVALID_BODY")
    return {k: v for k, v in body.items() if k not in SERVER_FIELDS}


def query_filter(query: Mapping[str, str]) -> tuple[Callable[[Record], bool] | None, Any]:
    """(match, cache key) for the filtering query parameters; (None, None) without any."""
    checks: list[tuple[tuple[str, ...], Callable[[str, str], bool], str]] = []
    for name, value in sorted(query.items()):
        low = name.lower()
        if low in NOT_FILTERS or not value:
            continue
        for suffix, compare in (("before", operator.lt), ("after", operator.gt)):
            if low.endswith(suffix) and len(low) > len(suffix):
                field = low[: -len(suffix)]
                names = (field, f"{field}date", f"last{field}", f"last{field}date")
                checks.append((names, compare, value))
                break
        else:
            checks.append(((low,), operator.eq, value.casefold()))
    if not checks:
        return None, None

    def match(record: Record) -> bool:
        lowered = {k.lower(): v for k, v in record.items()}
        for names, compare, value in checks:
            have = next((lowered[n] for n in names if n in lowered), None)
            if have is None:
                return False
            text = str(have).lower() if isinstance(have, bool) else str(have)
            # A date bound compares on the bound's precision (a day against a timestamp).
            text = text.casefold() if compare is operator.eq else text[: len(value)]
            if not compare(text, value):
                return False
        return True

    return match, tuple((n, c.__name__, v) for n, c, v in checks)


class _Handlers:
    def __init__(self, state: ConcurState, resource: V3Resource) -> None:
        self.state = state
        self.resource = resource
        self.records: Collection = state.collection(resource.collection)

    def _view(self, record: Record) -> Record:
        return self.resource.view(record) if self.resource.view else record

    def _stamp(self) -> Record:
        field = self.resource.modified
        return {field: server_time()} if field else {}

    def _uri(self, record_id: str) -> str:
        return f"{self.state.base_url}{self.resource.path}/{record_id}"

    def _found(self, request: web.Request) -> tuple[str, Record]:
        record_id = request.match_info["id"]
        record = self.records.get(record_id)
        if record is None:
            raise Failure(404, f"No {self.resource.item_root} with ID {record_id!r}.",
                          code="NOT_FOUND")
        return record_id, record

    async def list(self, request: web.Request) -> web.Response:
        res = self.resource
        limit = limit_param(request, res.default_limit, res.max_limit)
        start = decode_offset(request.query.get("offset"))
        query = {k: v for k, v in request.query.items() if k not in res.ignored}
        match, key = query_filter(query)
        page = self.records.page(start, limit, match, match_key=key)
        id_field = self.records.id_field
        items = [present(self._view(r), self._uri(str(r[id_field])), self.state.base_url)
                 for r in page.items]
        data: dict[str, Any] = {res.items_field: items}
        if res.items_field != "Items":
            data["Items"] = None
        data["NextPage"] = None if page.next is None else page_url(
            self.state.base_url, request, offset=encode_offset(page.next))
        if res.total:
            data["TotalCount"] = page.total
        return reply(request, data, root=res.list_root)

    async def get(self, request: web.Request) -> web.Response:
        record_id, record = self._found(request)
        return reply(request,
                     present(self._view(record), self._uri(record_id), self.state.base_url),
                     root=self.resource.item_root)

    async def create(self, request: web.Request) -> web.Response:
        fields = fields_of(await read_body(request))
        record_id = self.state.new_id()
        self.records.put({**fields, **self._stamp(), self.records.id_field: record_id})
        self.state.write_log.record("create", self.records.name, record_id)
        return reply(request, {"ID": record_id, "URI": self._uri(record_id)},
                     root="CreateResponse")

    async def update(self, request: web.Request) -> web.Response:
        record_id, record = self._found(request)
        fields = fields_of(await read_body(request))
        self.records.put({**record, **fields, **self._stamp(), self.records.id_field: record_id})
        self.state.write_log.record("update", self.records.name, record_id)
        return empty()

    async def delete(self, request: web.Request) -> web.Response:
        record_id, _ = self._found(request)
        self.records.delete(record_id)
        self.state.write_log.record("delete", self.records.name, record_id)
        return empty()
