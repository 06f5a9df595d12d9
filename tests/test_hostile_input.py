"""Hostile bodies: every response decoder refuses junk with ``DecodeError`` and nothing else.

Every response type of every operation (found by calling each method of
``concur_async.operations()`` and catching the ``response_type`` it asks the client for) is fed
random, mutated and deliberately wrong JSON and XML: the only exception allowed out of the
codec is ``DecodeError`` (a ``ConcurError``), and ``parse_error_body`` never raises at all.
Bombs, oversized answers and invalid caller input are in ``test_hostile_transport.py`` and
``test_invalid_input.py``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import types
from collections.abc import Iterator
from typing import Any, Literal
from xml.sax.saxutils import escape

import msgspec
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from msgspec import inspect as mi
from test_operations_inventory import Placeholders, bound, call_arguments

import concur_async
from concur_async import ConcurClient, DecodeError, StaticToken, _codec
from concur_async._errors import parse_error_body

# -- every response type ------------------------------------------------------------------------


class _Asked(Exception):
    def __init__(self, response_type: Any) -> None:
        self.response_type = response_type


def _response_types() -> dict[str, Any]:
    """Operation name -> the type its method asks the client to decode the answer into."""

    async def asked(self: ConcurClient, method: str, url: str, *, response_type: Any = None,
                    **_: Any) -> Any:
        raise _Asked(Any if response_type is None else response_type)

    async def page(self: ConcurClient, url: str, page_type: Any, **_: Any) -> Any:
        raise _Asked(page_type)

    async def collect() -> dict[str, Any]:
        found: dict[str, Any] = {}
        client = ConcurClient(auth=StaticToken("t0ken"), base_url="http://127.0.0.1:9")
        client.request = types.MethodType(asked, client)  # type: ignore[method-assign]
        client.fetch_page = types.MethodType(page, client)  # type: ignore[method-assign]
        for info in concur_async.operations():
            method = bound(client, info.name)
            args, kwargs = call_arguments(method)
            try:
                result = method(*args, **kwargs)
                await (result if inspect.isawaitable(result) else result.first_page())
            except _Asked as exc:
                found[info.name] = exc.response_type
        return found

    return asyncio.run(collect())


ASKED = _response_types()
RESPONSE_TYPES: list[Any] = sorted(
    {t for t in ASKED.values() if t is not bytes}, key=repr
)


def test_every_operation_was_asked_for_its_response_type() -> None:
    assert set(ASKED) == {info.name for info in concur_async.operations()}
    structs = [t for t in RESPONSE_TYPES if isinstance(t, type) and issubclass(t, msgspec.Struct)]
    assert len(structs) > 50


def _wire_names(type_: Any) -> list[str]:
    """Every wire name reachable from a type, so random documents hit real fields."""
    names: set[str] = set()
    seen: set[Any] = set()

    def walk(info: mi.Type) -> None:
        if isinstance(info, mi.StructType):
            if info.cls in seen:
                return
            seen.add(info.cls)
            for f in info.fields:
                names.add(f.encode_name)
                walk(f.type)
        elif isinstance(info, mi.UnionType):
            for member in info.types:
                walk(member)
        elif isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
            walk(info.item_type)
        elif isinstance(info, mi.Metadata):
            walk(info.type)
        elif isinstance(info, mi.DictType):
            walk(info.value_type)

    walk(mi.type_info(type_))
    return sorted(names) or ["Items"]


NAMES = {id(t): _wire_names(t) for t in RESPONSE_TYPES}


def decode_or_refuse(body: bytes, type_: Any, fmt: Literal["json", "xml"]) -> None:
    """Decode; a DecodeError is a refusal, and anything else escaping is the bug we hunt."""
    try:
        _codec.decode(body, type_, fmt)
    except DecodeError as exc:
        str(exc)  # a refusal's message must be printable too


# -- random documents --------------------------------------------------------------------------

_TRICKY_TEXT = st.sampled_from([
    "", " ", "true", "false", "null", "0", "-1", "1E+400", "-1e-400", "NaN", "Infinity",
    "9" * 40, "2024-02-30", "2024-01-31T25:61:00Z", "12:00", "\u0000", "\ud7ff", "\U0001f600",
    "<", "&amp;", "]]>", "0x10", "1_000",
])
_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | _TRICKY_TEXT
)


@st.composite
def json_documents(draw: st.DrawFn) -> tuple[Any, bytes]:
    type_ = draw(st.sampled_from(RESPONSE_TYPES))
    keys = st.sampled_from(NAMES[id(type_)]) | st.text(max_size=6)
    value = draw(st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=30,
    ))
    return type_, json.dumps(value).encode()  # NaN and Infinity come out as invalid JSON


def _element(draw: st.DrawFn, names: list[str], depth: int) -> str:
    tag = draw(st.sampled_from(names) | st.sampled_from(["x", "Item", "a:b", "Items"]))
    if depth > 3 or draw(st.booleans()):
        text = draw(_TRICKY_TEXT | st.text(max_size=10))
        raw = draw(st.booleans())
        return f"<{tag}>{text if raw else escape(text)}</{tag}>"
    children = "".join(_element(draw, names, depth + 1)
                       for _ in range(draw(st.integers(0, 4))))
    return f"<{tag}>{children}</{tag}>"


@st.composite
def xml_documents(draw: st.DrawFn) -> tuple[Any, bytes]:
    type_ = draw(st.sampled_from(RESPONSE_TYPES))
    names = NAMES[id(type_)]
    root = getattr(type_, "__name__", "Root")
    children = "".join(_element(draw, names, 1) for _ in range(draw(st.integers(0, 6))))
    head = draw(st.sampled_from(["", '<?xml version="1.0"?>',
                                 '<?xml version="1.0" encoding="UTF-8"?>',
                                 '<?xml version="1.0" encoding="ISO-8859-1"?>'])
                | st.text("ABCDEFUTIS-0123456789", max_size=8).map(
                    lambda name: f'<?xml version="1.0" encoding="{name}"?>'))
    return type_, f"{head}<{root}>{children}</{root}>".encode("utf-8", "surrogatepass")


def _valid_body(type_: Any, fmt: Literal["json", "xml"]) -> bytes:
    """A document the type accepts, to start mutations from."""
    value = Placeholders()(type_) if type_ is not Any else {"a": [1, "b"]}
    return _codec.encode(value, fmt, root=getattr(type_, "__name__", "Root"))


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[Any, bytes, Literal["json", "xml"]]:
    type_ = draw(st.sampled_from(RESPONSE_TYPES))
    fmt: Literal["json", "xml"] = draw(st.sampled_from(["json", "xml"]))
    body = bytearray(_valid_body(type_, fmt))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        if kind == "flip" and at < len(body):
            body[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del body[at:at + draw(st.integers(1, 8))]
        elif kind == "insert":
            body[at:at] = draw(st.binary(max_size=8) | st.sampled_from(
                [b"<", b">", b"&", b"]]>", b'"', b"{", b"}", b"[", b",", b"\x00", b"\xff",
                 b"<!DOCTYPE", b"&lol;", b"<![CDATA[x]]>", b"<?pi x?>", b"<!-- c -->"]))
        elif kind == "repeat":
            body[at:at] = body[max(0, at - 16):at]
        else:
            del body[at:]
    return type_, bytes(body), fmt


HYPOTHESIS = settings(max_examples=250, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


@HYPOTHESIS
@given(json_documents())
def test_random_json_is_decoded_or_refused(case: tuple[Any, bytes]) -> None:
    decode_or_refuse(case[1], case[0], "json")


@HYPOTHESIS
@given(xml_documents())
def test_random_xml_is_decoded_or_refused(case: tuple[Any, bytes]) -> None:
    decode_or_refuse(case[1], case[0], "xml")


@HYPOTHESIS
@given(mutated_documents())
def test_mutated_documents_are_decoded_or_refused(
    case: tuple[Any, bytes, Literal["json", "xml"]],
) -> None:
    decode_or_refuse(case[1], case[0], case[2])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.builds(lambda c: c[1], json_documents())
       | st.builds(lambda c: c[1], xml_documents())
       | st.builds(lambda c: c[1], mutated_documents()))
@example(b"<?xml version='' encoding='T'?>")  # an encoding nobody knows
@example(b'<?xml version="" encoding="U7"?>')  # one expat refuses (multi-byte)
@example(b"[" * 50_000 + b"]" * 50_000)
@example(b'{"Error": {"Message": "\x80"}}')  # not UTF-8
def test_error_bodies_are_parsed_or_ignored_never_raised(body: bytes) -> None:
    code, message, details, error_id, status = parse_error_body(body)
    assert code is None or isinstance(code, str)
    assert message is None or isinstance(message, str)
    assert all(isinstance(d, str) for d in details)
    assert error_id is None or isinstance(error_id, str)
    assert status is None or status >= 400


# -- a fixed sweep: every response type, both formats, the usual suspects --------------------------

_DEEP_JSON = b"[" * 50_000 + b"]" * 50_000
_DEEP_XML = b"<a>" * 5_000 + b"</a>" * 5_000


def _suspects_json(type_: Any) -> Iterator[bytes]:
    yield from (b"", b" ", b"null", b"[]", b"{}", b"0", b'""', b"\xff\xfe", b"{\"", _DEEP_JSON,
                b'{"a":' * 20_000 + b"1" + b"}" * 20_000, b"1e999999", b"NaN")
    for name in NAMES[id(type_)][:40]:
        for value in ([], {}, "x", 1e300, -(2**80), True, None, [[{}]], "9" * 5000,
                      {"a": _DEEP_JSON.decode()[:2000]}):
            yield json.dumps({name: value}).encode()
        yield b'{"' + name.encode() + b'":' + b"[" * 10_000 + b"]" * 10_000 + b"}"


def _suspects_xml(type_: Any) -> Iterator[bytes]:
    root = getattr(type_, "__name__", "Root").encode()
    yield from (b"", b"<", b"<a/>", _DEEP_XML, b"<?xml version='1.0' encoding='EBCDIC-X'?><a/>",
                b"<?xml version='1.0' encoding='UTF-16'?><a/>", b"\xef\xbb\xbf<a/>",
                b"<a>\xff</a>", b"<a>&#0;</a>", b"<a>&#xD800;</a>", b"<a xmlns:p='u'><p:b/></a>")
    for name in NAMES[id(type_)][:40]:
        tag = name.encode()
        for inner in (b"", b"x", b"<b>1</b><b>2</b>", b"<![CDATA[<x>]]>", b"1E+400", b"-0",
                      b"<" + tag + b">" + b"<i>" * 300 + b"</i>" * 300 + b"</" + tag + b">",
                      b"2024-13-45", b"&#x1F600;", b"&amp;&lt;", b"<?pi?>"):
            yield b"<" + root + b"><" + tag + b">" + inner + b"</" + tag + b"></" + root + b">"


def test_every_response_type_survives_the_usual_suspects() -> None:
    escaped: list[str] = []
    for type_ in RESPONSE_TYPES:
        for fmt, bodies in (("json", _suspects_json(type_)), ("xml", _suspects_xml(type_))):
            for body in bodies:
                try:
                    _codec.decode(body, type_, fmt)  # type: ignore[arg-type]
                except DecodeError:
                    pass
                except Exception as exc:
                    escaped.append(f"{type_!r} {fmt} {body[:60]!r}: {exc!r}")
                    if len(escaped) > 20:
                        break
    assert not escaped, "\n".join(escaped)
