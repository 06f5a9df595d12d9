"""Invalid caller input is refused with ``ValidationError`` before any request is sent.

For every operation of ``concur_async.operations()``: each argument in turn given a value of
the wrong type; each request-body field that the seeds give a maximum length made one
character too long; the page size one over the documented maximum. Every call must raise a
local ``ValidationError`` (status 0), and LocalConcur must see no request at all, not even a
token request.
"""

from __future__ import annotations

import inspect
import types
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import msgspec
from test_operations_inventory import Placeholders, bound, call_arguments

import concur_async
from concur_async import APIError, ConcurClient, StaticToken, ValidationError
from concur_async._model import sent_form
from concur_async.testing import LocalConcur

# -- invalid caller input: refused before any request ---------------------------------------------


def _wrong(hint: Any) -> Any:
    """A value no parameter of this type accepts."""
    origin = get_origin(hint)
    if origin is Annotated:
        return _wrong(get_args(hint)[0])
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(hint) if a is not type(None)]
        return _wrong(members[0])
    if origin is Literal:
        return "not-one-of-the-documented-values"
    if hint is Any:
        return None
    return object()


def _parameters(method: Any) -> list[tuple[str, Any, bool]]:
    hints = get_type_hints(method, include_extras=True)
    out = []
    for name, param in inspect.signature(method).parameters.items():
        if name in ("max_items", "prefetch", "wire_format", "page_size") or hints[name] is Any:
            continue
        out.append((name, hints[name], param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD))
    return out


def _overlong(cls: type[msgspec.Struct], fill: Placeholders) -> Iterator[tuple[str, Any]]:
    """Instances of ``cls`` with one field longer than its documented maximum each."""
    hints = get_type_hints(sent_form(cls), include_extras=True)
    for f in msgspec.structs.fields(cls):
        limit = _max_length(hints[f.name])
        if limit is not None:
            instance = fill.struct(cls)
            setattr(instance, f.name, "x" * (limit + 1))
            yield f"{cls.__name__}.{f.name}", instance


def _max_length(hint: Any) -> int | None:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        limits = [_max_length(a) for a in get_args(hint)]
        return next((x for x in limits if x is not None), None)
    if origin is Annotated:
        metas = [m.max_length for m in get_args(hint)[1:]
                 if isinstance(m, msgspec.Meta) and m.max_length]
        return min(metas) if metas else None
    return None


def _struct_of(hint: Any) -> tuple[type[msgspec.Struct], bool] | None:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        found = [_struct_of(a) for a in get_args(hint) if a is not type(None)]
        return next((x for x in found if x is not None), None)
    if origin is list:
        inner = _struct_of(get_args(hint)[0])
        return (inner[0], True) if inner else None
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return hint, False
    return None


def invalid_calls() -> Iterator[tuple[str, str, Any, list[Any], dict[str, Any]]]:
    """(operation, what is wrong, method, args, kwargs) for every invalid call we can make."""
    client = ConcurClient(auth=StaticToken("t0ken"), base_url="http://127.0.0.1:9")
    for info in concur_async.operations():
        method = bound(client, info.name)
        for name, hint, positional in _parameters(method):
            args, kwargs = call_arguments(method)
            names = [n for n, _, p in _parameters(method) if p]
            if positional:
                args[names.index(name)] = _wrong(hint)
            else:
                kwargs[name] = _wrong(hint)
            yield info.name, f"{name} of the wrong type", method, args, kwargs
            struct = _struct_of(hint)
            if struct is None:
                continue
            fill = Placeholders()
            for where, instance in _overlong(struct[0], fill):
                args, kwargs = call_arguments(method)
                value = [instance] if struct[1] else instance
                if positional:
                    args[names.index(name)] = value
                else:
                    kwargs[name] = value
                yield info.name, f"{where} over its maximum length", method, args, kwargs
        if info.max_page_size is not None:
            args, kwargs = call_arguments(method)
            kwargs["page_size"] = info.max_page_size + 1
            yield info.name, "page_size over the maximum", method, args, kwargs


async def _refusal(method: Any, args: list[Any], kwargs: dict[str, Any]) -> Exception | None:
    try:
        result = method(*args, **kwargs)
        await (result if inspect.isawaitable(result) else result.first_page())
    except ValidationError as exc:
        return exc
    return None


async def test_invalid_caller_input_is_refused_before_any_request() -> None:
    refused: Counter[str] = Counter()
    wrongly: list[str] = []
    async with LocalConcur() as concur, concur.client() as client:
        for name, wrong, _, args, kwargs in invalid_calls():
            error = await _refusal(bound(client, name), args, kwargs)
            # Refused here (a local error, without a status), not by the server.
            if not isinstance(error, ValidationError) or isinstance(error, APIError):
                wrongly.append(f"{name}: {wrong}: {error!r}")
            refused[wrong.split(" ", 1)[1] if "wrong type" not in wrong else "wrong type"] += 1
        assert concur.stats.total == 0  # not one call, not even the token request
        assert concur.stats.token_requests == 0
        assert client.stats.requests == 0
    assert not wrongly, "\n".join(wrongly)
    print(dict(refused))
    assert refused["wrong type"] > 200
    assert refused["over its maximum length"] > 10
    assert refused["over the maximum"] > 10
