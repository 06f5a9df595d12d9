"""How an endpoint is declared, and the machinery every resource shares.

A resource module declares each Concur operation once, as an ``Operation`` (API, version, HTTP
method, path template, documented page-size maximum), and marks the method that serves it with
``@OPERATION.serves``. That decorator checks the caller's arguments against the method's type
hints before anything is sent, and lets ``concur_async.operations()`` list every operation with
the dotted name of its method.
"""

from __future__ import annotations

import copy
import functools
import inspect
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec, Self, TypeVar, Union, get_args, get_origin, get_type_hints
from urllib.parse import quote
from uuid import UUID

import msgspec

from ._codec._shape import NATIVE
from ._errors import ValidationError
from ._model import sent_form
from ._paging import AsyncPaginator, PageRequest, PagingStyle
from ._query import is_date_filter
from ._requester import Peek, Requester, WireFormat
from ._upload import Upload

__all__ = ["CallOptions", "Family", "Operation", "Resource"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

#: Argument values checked as themselves: the codec's native types, and bytes and UUIDs.
_NATIVE = (*NATIVE, bytes, UUID)
#: What ``quote(text, safe="")`` leaves as it is.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")


@dataclass(frozen=True, slots=True)
class Operation:
    """One Concur operation as its reference page documents it."""

    api: str
    version: str
    method: str
    path: str
    max_page_size: int | None = None
    #: The limiter family whose published rate limit applies (e.g. ``quick_expense``).
    family: str | None = None

    def wire_format(self, asked: WireFormat | None) -> WireFormat | None:
        """The v4 APIs speak JSON only and the v1 ones XML only, whatever the client's
        default for the v3 ones."""
        if self.version.startswith("v3"):
            return asked
        return "xml" if self.version.startswith("v1") else "json"

    def url(self, path_params: Mapping[str, Any] | None = None) -> str:
        if not path_params:
            return self.path
        for value in path_params.values():
            if type(value) is not str or not _UNRESERVED.fullmatch(value):
                break
        else:  # plain ids (the usual case): nothing to refuse or to quote
            return self.path.format_map(path_params)
        values = {}
        for key, value in path_params.items():
            if value is None or value == "":
                raise ValidationError(f"{key} is required by {self.method} {self.path}")
            text = str(value)
            # Ids are mostly letters and digits, which quote() would hand back as they are.
            values[key] = text if _UNRESERVED.fullmatch(text) else quote(text, safe="")
        return self.path.format_map(values)

    def serves(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Mark ``fn`` as the method for this operation and check its arguments on each call."""
        check = _ArgumentCheck(fn).check

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            check(args, kwargs)
            return fn(*args, **kwargs)

        wrapper.__concur_operation__ = self  # type: ignore[attr-defined]
        return wrapper


class _ArgumentCheck:
    """Validates call arguments against the method's hints (types, Literals, constraints).

    Everything that can be worked out once is, on the first call: the hints, and for each
    parameter the exact types a value may have to pass as it is (``str`` for ``id: str``), so
    a call whose arguments are plain keywords of those types is checked without binding the
    signature or converting anything. Any other call takes the full check, which alone says
    what is wrong.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self._plan: list[tuple[str, Any]] | None = None
        self._passes: dict[str, frozenset[type]] = {}
        self._signature = inspect.signature(fn)
        params = list(self._signature.parameters.values())[1:]  # after self
        plain = all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params)
        #: The names a keyword call may use (None: the method takes *args or **kwargs).
        self._keywords = frozenset(p.name for p in params) if plain else None
        self._required = frozenset(p.name for p in params if p.default is p.empty)

    def _build(self) -> list[tuple[str, Any]]:
        hints = get_type_hints(self._fn, include_extras=True)
        hints.pop("return", None)
        # An upload is checked where its first bytes are read (image_body), a date filter
        # (a date or a datetime, which msgspec cannot hold in one union) by query_date.
        plan = [(name, hint) for name, hint in hints.items()
                if name != "self" and hint != Upload and not is_date_filter(hint)]
        self._passes = {name: _passing_types(hint) for name, hint in plan}
        return plan

    def check(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        plan = self._plan
        if plan is None:
            plan = self._plan = self._build()
        keywords = self._keywords
        if (len(args) == 1 and keywords is not None and keywords.issuperset(kwargs)
                and self._required.issubset(kwargs)):
            # What Signature.bind would accept, without binding: self, then keywords.
            passes = self._passes
            for name, value in kwargs.items():
                allowed = passes.get(name)
                if allowed is not None and type(value) not in allowed:
                    break
            else:
                return
        self._check(plan, args, kwargs)

    def _check(
        self, plan: list[tuple[str, Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise ValidationError(f"{self._fn.__qualname__}: {exc}") from None
        values = bound.arguments
        for name, hint in plan:
            if name not in values:
                continue
            value = values[name]
            if isinstance(value, msgspec.Struct) or _is_struct_list(value):
                continue  # bodies are checked field by field when encoded
            try:
                msgspec.convert(value, hint, builtin_types=_NATIVE)
            except (msgspec.ValidationError, TypeError) as exc:
                raise ValidationError(
                    f"{self._fn.__qualname__}: argument {name!r}: {exc}"
                ) from None


#: Hints whose values of these exact types convert to themselves: no check can refuse them.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _passing_types(hint: Any) -> frozenset[type]:
    """The exact types a value of ``hint`` passes as (none where a Literal or a constraint
    has a say: those values take the full check)."""
    if hint is None:
        return frozenset({type(None)})
    if hint in _PLAIN:
        return frozenset({hint})
    if isinstance(hint, types.UnionType) or get_origin(hint) is Union:
        members = frozenset(type(None) if arg is None else arg for arg in get_args(hint))
        if members <= _PLAIN:
            return members
    return frozenset()


def _is_struct_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and isinstance(value[0], msgspec.Struct)


def check_body(body: msgspec.Struct) -> None:
    """Refuse a request body whose fields break their types or what Concur demands of a
    request (required fields, documented limits and values), which answers are spared."""
    try:
        msgspec.convert(
            msgspec.to_builtins(body, builtin_types=_NATIVE), sent_form(type(body)),
            builtin_types=_NATIVE,
        )
    except msgspec.ValidationError as exc:
        raise ValidationError(f"{type(body).__name__}: {exc}") from None


@dataclass(frozen=True, slots=True)
class CallOptions:
    """Per-call choices a resource passes down with each call (see ``Resource.with_options``)."""

    #: False: never replayed by the client when its answer is lost (the caller looks first).
    idempotent: bool | None = None
    #: Seconds each attempt may take, instead of the client's ``timeout``.
    timeout: float | None = None
    wire_format: WireFormat | None = None


class Resource:
    """A group of endpoints bound to one client."""

    def __init__(self, client: Requester) -> None:
        self._client = client
        self._options = CallOptions()

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__}>"

    def with_options(
        self,
        *,
        idempotent: bool | None = None,
        timeout: float | None = None,
        wire_format: WireFormat | None = None,
    ) -> Self:
        """These endpoints with per-call options, e.g.
        ``client.invoice.vendors.with_options(idempotent=False).create(batch)`` for a write the
        client must never replay, or ``timeout=5`` for a call that must answer fast."""
        if timeout is not None and timeout <= 0:
            raise ValidationError("timeout must be positive")
        if wire_format not in (None, "json", "xml"):
            raise ValidationError(f"wire_format must be 'json' or 'xml', not {wire_format!r}")
        view = copy.copy(self)
        old = self._options
        view._options = CallOptions(
            idempotent=old.idempotent if idempotent is None else idempotent,
            timeout=timeout or old.timeout,
            wire_format=wire_format or old.wire_format,
        )
        return view

    async def _call(
        self,
        op: Operation,
        response_type: type[T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        body: msgspec.Struct | None = None,
        root: str | None = None,
        json: Any = None,
        content: Any = None,
        headers: Mapping[str, str] | None = None,
        wire_format: WireFormat | None = None,
        idempotent: bool | None = None,
    ) -> T:
        if body is not None:
            check_body(body)
        if json is not None and _is_struct_list(json):
            for item in json:
                check_body(item)
        options = self._options
        result: T = await self._client.request(
            op.method,
            op.url(path_params),
            response_type=response_type,
            params=params,
            body=body,
            root=root,
            json=json,
            content=content,
            headers=headers,
            wire_format=op.wire_format(wire_format or options.wire_format),
            idempotent=options.idempotent if idempotent is None else idempotent,
            family=op.family,
            timeout=options.timeout,
        )
        return result

    def _paginate(
        self,
        op: Operation,
        page_type: type[Any],
        style: PagingStyle,
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        prefetch: int = 2,
        wire_format: WireFormat | None = None,
    ) -> AsyncPaginator[Any]:
        if page_size is None:
            # Concur's own default is small (25 for most v3 lists): the documented maximum
            # costs no more per page and takes a fraction of the round trips.
            page_size = op.max_page_size
        elif page_size < 1:
            raise ValidationError("page_size must be at least 1")
        elif op.max_page_size is not None and page_size > op.max_page_size:
            raise ValidationError(
                f"page_size {page_size} exceeds the maximum of {op.max_page_size} "
                f"documented for {op.method} {op.path}"
            )
        client, options = self._client, self._options
        wire_format = op.wire_format(wire_format or options.wire_format)

        async def fetch(request: PageRequest, peek: Peek | None) -> Any:
            return await client.fetch_page(
                request.url, page_type, params=request.params, wire_format=wire_format,
                family=op.family, peek=peek, timeout=options.timeout,
            )

        return AsyncPaginator(
            fetch,
            style,
            op.url(path_params),
            params={k: v for k, v in (params or {}).items() if v is not None},
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
        )


class Family:
    """An API family (``client.invoice``, ``client.expense``...): a namespace of resources."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} API family>"
