"""Resources over the request seam: what a resource hands its ``Requester``, per-call options
(``with_options``), and the argument checks an ``Operation`` puts in front of each method."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import pytest

from concur_async import ConcurClient, StaticToken, ValidationError
from concur_async._model import V3Struct
from concur_async._paging import AsyncPaginator, V3Paging
from concur_async._requester import Peek, Requester, WireFormat
from concur_async._resource import Family, Operation, Resource

THINGS = Operation("Thing", "v3.0", "GET", "/api/v3.0/test/things", max_page_size=100)
CREATE = Operation("Thing", "v3.0", "POST", "/api/v3.0/test/things", family="test")
V4 = Operation("Thing", "v4", "GET", "/thing/v4/things")


class Thing(V3Struct):
    id: int = msgspec.field(name="ID")


class ThingPage(V3Struct):
    items: list[Thing] | None = None
    next_page: str | None = None


class Things(Resource):
    @CREATE.serves
    async def create(self, body: Thing) -> Thing:
        return await self._call(CREATE, Thing, body=body)

    @V4.serves
    async def v4(self) -> Thing:
        return await self._call(V4, Thing)

    @THINGS.serves
    def list(self, *, page_size: int | None = None) -> AsyncPaginator[Thing]:
        return self._paginate(THINGS, ThingPage, V3Paging(), page_size=page_size)


class Recorder:
    """A ``Requester`` that records what it is asked and answers canned values."""

    wire_format: WireFormat = "json"

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def request(self, method: str, url: str, **options: Any) -> Any:
        self.calls.append({"method": method, "url": url, **options})
        return Thing(id=1)

    async def fetch_page(
        self, url: str, page_type: Any, *, params: Mapping[str, Any] | None = None,
        wire_format: WireFormat | None = None, family: str | None = None,
        peek: Peek | None = None, timeout: float | None = None,
    ) -> Any:
        self.calls.append({"url": url, "page_type": page_type, "params": params,
                           "wire_format": wire_format, "timeout": timeout})
        return ThingPage(items=[Thing(id=1)])


def test_the_client_is_a_requester() -> None:
    requester: Requester = ConcurClient(auth=StaticToken("t0ken-123"))
    assert isinstance(Things(requester), Resource)
    assert isinstance(Family(Recorder()), Family)


async def test_a_call_hands_its_operation_to_the_requester() -> None:
    recorder = Recorder()
    assert await Things(recorder).create(Thing(id=7)) == Thing(id=1)
    (call,) = recorder.calls
    assert (call["method"], call["url"], call["family"]) == ("POST", CREATE.path, "test")
    assert call["body"] == Thing(id=7)
    assert (call["idempotent"], call["timeout"], call["wire_format"]) == (None, None, None)


async def test_per_call_options_reach_the_requester_and_leave_the_resource_as_it_was() -> None:
    recorder = Recorder()
    things = Things(recorder)
    once = things.with_options(idempotent=False, timeout=2.5, wire_format="xml")
    await once.create(Thing(id=7))
    await things.create(Thing(id=8))
    first, second = recorder.calls
    assert (first["idempotent"], first["timeout"], first["wire_format"]) == (False, 2.5, "xml")
    assert (second["idempotent"], second["timeout"], second["wire_format"]) == (
        None, None, None)
    # Chained, the later choice wins and the earlier ones stay.
    both = once.with_options(timeout=9.0)
    await both.create(Thing(id=9))
    assert (recorder.calls[-1]["idempotent"], recorder.calls[-1]["timeout"]) == (False, 9.0)


async def test_v4_operations_stay_json_whatever_the_option_says() -> None:
    recorder = Recorder()
    await Things(recorder).with_options(wire_format="xml").v4()
    assert recorder.calls[0]["wire_format"] == "json"


async def test_pages_carry_the_options_too() -> None:
    recorder = Recorder()
    page = await Things(recorder).with_options(timeout=3.0).list(page_size=5).first_page()
    assert [t.id for t in page.items] == [1]
    (call,) = recorder.calls
    assert (call["page_type"], call["timeout"]) == (ThingPage, 3.0)
    assert call["params"] == {"limit": 5}


@pytest.mark.parametrize("options", [{"timeout": 0}, {"timeout": -1}, {"wire_format": "yaml"}])
def test_impossible_options_are_refused_here(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Things(Recorder()).with_options(**options)


async def test_arguments_are_checked_before_the_requester_is_asked() -> None:
    recorder = Recorder()
    with pytest.raises(ValidationError, match="page_size"):
        Things(recorder).list(page_size=101)
    with pytest.raises(ValidationError):
        await Things(recorder).create("not a thing")  # type: ignore[arg-type]
    assert recorder.calls == []
