"""Concur's published examples, each through the SDK method a user would call.

``manifest.json`` (written by ``python -m tools.corpus``) lists every JSON and XML example of
``concur/developer.concur.com`` and of the seed documents for the operations the SDK serves.
A response example is answered, byte for byte, by a server on 127.0.0.1 to the public method
for its operation, which must return a typed result (a documented 4xx body must raise the
``APIError`` carrying its status). A request example must decode into the struct the method
sends, and the method must send it. Examples that are no whole document are listed in the
manifest with the reason they are skipped; ``test_nothing_is_dropped_silently`` keeps that
list honest.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import types
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import msgspec
import pytest
import pytest_asyncio
from aiohttp import web
from lxml import etree
from servers import loopback_server
from test_operations_inventory import call_arguments
from test_seed_examples import SPECS, Fit, example_type

import concur_async
from concur_async import APIError, ConcurClient, StaticToken, _codec
from concur_async._paging import AsyncPaginator

from ._pending import PENDING

HERE = Path(__file__).parent
MANIFEST = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
EXAMPLES: list[dict[str, Any]] = MANIFEST["examples"]
SERVED = {op.name: op for op in concur_async.operations()}
OPS = {(op["method"], op["path"]): op for s in SPECS.values() for op in s["operations"]}



def body_of(entry: dict[str, Any]) -> bytes:
    return (HERE / entry["file"]).read_bytes()


def _case(entry: dict[str, Any]) -> Any:
    marks = []
    if entry["id"] in PENDING:
        marks.append(pytest.mark.xfail(strict=True, reason=PENDING[entry["id"]]))
    return pytest.param(entry, id=entry["id"], marks=marks)


CHECKED = [e for e in EXAMPLES if e["skip"] is None]
RESPONSES = [_case(e) for e in CHECKED if e["direction"] == "response"]
REQUESTS = [_case(e) for e in CHECKED if e["direction"] == "request"]


def bound(client: ConcurClient, name: str) -> Any:
    target: Any = client
    for part in name.split("."):
        target = getattr(target, part)
    return target


#: One event loop for the module, so one server answers every example (the corpus stays fast).
ONE_LOOP = pytest.mark.asyncio(loop_scope="module")


class Loopback:
    """One server on 127.0.0.1 for the module, answering what the running test set."""

    def __init__(self) -> None:
        self.url = ""
        self.answer = web.Response()
        self.seen: list[bytes] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(await request.read())
        answer, self.answer = self.answer, web.Response(status=599)  # one answer per call
        return answer


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def loopback() -> AsyncIterator[Loopback]:
    server = Loopback()
    async with loopback_server(server.handle) as url:
        server.url = url
        yield server


async def _call(
    server: Loopback, entry: dict[str, Any], answer: bytes, *, body: Any = None, **options: Any
) -> Any:
    """Call the entry's public method against the server answering ``answer``; return the
    result (``server.seen`` gets the body the method sent)."""
    server.answer = web.Response(status=entry["status"] or 200, body=answer,
                                 content_type=f"application/{entry['format']}")
    server.seen.clear()
    async with ConcurClient(auth=StaticToken("t0ken"), base_url=server.url,
                            wire_format=entry["format"]) as client:
        method = bound(client, entry["operation"])
        args, kwargs = call_arguments(method)
        if body is not None:
            args[0] = body
        kwargs.update(options)
        result = method(*args, **kwargs)
        if isinstance(result, AsyncPaginator):
            return (await result.first_page()).items
        return await result


def _is_v3_error(entry: dict[str, Any]) -> bool:
    if entry["format"] != "json":
        return False
    document = json.loads(body_of(entry))
    return isinstance(document, dict) and set(document) == {"Error"}


@ONE_LOOP
@pytest.mark.parametrize("entry", RESPONSES)
async def test_each_documented_response_decodes_through_its_method(
    loopback: Loopback, entry: dict[str, Any]
) -> None:
    if (entry["status"] or 200) >= 400 or _is_v3_error(entry):
        # An error example the docs give no status for is served as a 200: the SDK raises it
        # all the same, rather than hand back a struct with every field None.
        with pytest.raises(APIError) as caught:
            await _call(loopback, entry, body_of(entry))
        assert caught.value.status == (entry["status"] or 200)
        message = caught.value.message or ""
        assert message.strip(), "the documented error's message was not read"
        assert not message.lstrip().startswith(("{", "[")), f"a document, not a message: {message}"
        return
    answer = body_of(entry)
    if entry["source"] == "seed":
        answer = _fitted(answer, document_type(entry), entry["format"], PlaceholderValues)
    result = await _call(loopback, entry, answer)
    returns = get_type_hints(bound(_CLIENT, entry["operation"]))["return"]
    if get_origin(returns) is AsyncPaginator:
        returns = list[get_args(returns)]  # type: ignore[misc]
    assert conforms(result, returns), (returns, result)


def conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the method's declared return type."""
    origin = get_origin(hint)
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(conforms(v, item) for v in value)
    if origin in (Union, types.UnionType):
        return any(conforms(value, arm) for arm in get_args(hint))
    if hint is None or hint is type(None):
        return value is None
    return isinstance(value, get_origin(hint) or hint)


_CLIENT = ConcurClient(auth=StaticToken("t0ken"), base_url="http://127.0.0.1:9")


def _body_parameter(method: Any) -> tuple[str, Any] | None:
    hints = get_type_hints(method)
    for name, param in inspect.signature(method).parameters.items():
        if param.kind is param.POSITIONAL_OR_KEYWORD and name in hints:
            return name, hints[name]
    return None


def _argument(decoded: Any, hint: Any) -> Any:
    """The method's argument from the documented document: a collection's list, when the
    method takes the list (``vendors.create(vendors)`` sends ``{"Vendor": [...]}``)."""
    if conforms(decoded, hint):
        return decoded
    if get_origin(hint) is list and isinstance(decoded, msgspec.Struct):
        lists = [getattr(decoded, f.name) for f in msgspec.structs.fields(decoded)
                 if isinstance(getattr(decoded, f.name), list)]
        if len(lists) == 1:
            return lists[0]
    return decoded


@ONE_LOOP
@pytest.mark.parametrize("entry", REQUESTS)
async def test_each_documented_request_is_sent_by_its_method(
    loopback: Loopback, entry: dict[str, Any]
) -> None:
    tp = document_type(entry)
    assert tp is not None, "no struct for this request"
    raw = body_of(entry)
    if _body_parameter(bound(_CLIENT, entry["operation"])) is None:
        await _check_keyword_body(loopback, entry, json.loads(raw))
        return
    if entry["source"] == "seed":
        raw = _fitted(raw, tp, entry["format"])
    decoded = _codec.decode(raw, tp, entry["format"])
    parameter = _body_parameter(bound(_CLIENT, entry["operation"]))
    assert parameter is not None, "the method takes no body"
    argument = _argument(decoded, parameter[1])
    with contextlib.suppress(concur_async.DecodeError):  # the stand-in answer is no document
        await _call(loopback, entry, b"", body=argument)
    assert loopback.seen, "the method sent nothing"
    again = _argument(_codec.decode(loopback.seen[0], tp, entry["format"]), parameter[1])
    assert again == argument, "it sent something else"


async def _check_keyword_body(server: Loopback, entry: dict[str, Any], document: Any) -> None:
    """A body the method builds from keyword arguments (the sendback ``comment``): given the
    documented values, it must send the documented document."""
    assert isinstance(document, dict), "a bare value: the method takes an object's fields"
    method = bound(_CLIENT, entry["operation"])
    names = set(inspect.signature(method).parameters)
    assert set(document) <= names, f"no argument for {set(document) - names}"
    with contextlib.suppress(concur_async.DecodeError):  # the stand-in answer is no document
        await _call(server, entry, b"", **document)
    assert server.seen, "the method sent nothing"
    assert json.loads(server.seen[0]) == document


def _fitted(raw: bytes, tp: Any, fmt: str, fit: type[Fit] = Fit) -> bytes:
    """The explorer's placeholders ("string" for an enum or a decimal) replaced (see Fit)."""
    if fmt == "json":
        return msgspec.json.encode(fit()(json.loads(raw), tp))
    tree = etree.fromstring(raw)
    fit().xml(tree, get_args(tp)[0] if get_origin(tp) is list else tp)
    return bytes(etree.tostring(tree))


class PlaceholderValues(Fit):
    """Only the explorer's stand-ins for non-text values ("string" for a date, seed 004's
    "bool" and "datetime") replaced in an answer: over-long text, unknown enum values and a
    single object for a list are what Concur really sends, and stay for the SDK to read."""

    def __call__(self, value: Any, hint: Any) -> Any:
        origin = get_origin(hint)
        if origin is Annotated:
            return self(value, get_args(hint)[0])
        if origin is Literal:
            return value
        if origin is list and isinstance(value, dict):
            return self(value, get_args(hint)[0])
        return super().__call__(value, hint)


def document_type(entry: dict[str, Any]) -> Any:
    """The struct (or list of them) an example's document reads as, found by its method."""
    op = OPS[entry["method"], entry["path"]]
    if entry["direction"] == "request":
        return example_type(op, {"kind": "request"})
    statuses = [r["status"] for r in op["responses"]]
    status = entry["status"] if entry["status"] in statuses else next(
        (s for s in statuses if 200 <= s < 300), statuses[0])
    return example_type(op, {"kind": "response", "status": status})


def test_nothing_is_dropped_silently() -> None:
    """Every example is checked or skipped for a stated reason; every page is named."""
    assert len(EXAMPLES) == len(CHECKED) + sum(1 for e in EXAMPLES if e["skip"])
    for entry in EXAMPLES:
        assert (HERE / entry["file"]).is_file(), entry["id"]
        assert entry["page"], entry["id"]
        assert entry["line"], entry["id"]
        assert entry["skip"] is None or len(entry["skip"]) > 10, entry["id"]
        if entry["skip"] is None:
            assert entry["operation"] in SERVED, entry["id"]
            assert entry["direction"] in ("request", "response"), entry["id"]
    assert not set(PENDING) - {e["id"] for e in CHECKED}, "PENDING names unknown examples"
