"""Answers are read as Concur writes them; requests are checked as Concur demands (issue 13).

Covered, in JSON and XML through the same structs: booleans as ``"true"``/``"Y"``/``"N"``;
dates and date-times with or without time; numbers as strings; a number or boolean where text
is declared; one object or a list where either occurs; ``null`` and missing values anywhere;
enumeration values the docs never listed; answers longer than the input limits. Requests with
the same structs are still refused before sending. ``keep_raw``/``raw`` reach the fields the
structs lack.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
import pytest

import concur_async
from concur_async import DecodeError, ValidationError, _codec
from concur_async._codec import json as json_codec
from concur_async._codec._lenient import expects_mending
from concur_async._model import Sent, V3Struct
from concur_async._resource import check_body
from concur_async.budget.models import BudgetItemHeader
from concur_async.invoice.purchase_orders import PurchaseOrder

if TYPE_CHECKING:
    from conftest import MockConcur


class Line(V3Struct, kw_only=True):
    code: Annotated[str, Sent(max_length=4, required=True)] | None = None
    amount: Decimal | None = None


class Answer(V3Struct, kw_only=True):
    flag: bool | None = None
    day: dt.date | None = None
    moment: dt.datetime | None = None
    count: int | None = None
    label: str | None = None
    line: Line | None = None
    lines: list[Line] | None = None


def both(document: dict[str, Any]) -> list[Answer]:
    """``document`` decoded from JSON and from the XML Concur would write for it."""
    as_json = json.dumps(document).encode()
    return [_codec.decode(as_json, Answer, "json"), _codec.decode(_xml(document), Answer, "xml")]


def _xml(document: dict[str, Any]) -> bytes:
    def element(name: str, value: Any) -> str:
        if isinstance(value, list):
            return "".join(element(name, v) for v in value)
        if isinstance(value, dict):
            return f"<{name}>{''.join(element(k, v) for k, v in value.items())}</{name}>"
        if value is None:
            return f"<{name}/>"
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return f"<{name}>{text}</{name}>"

    return element("Answer", document).encode()


@pytest.mark.parametrize(("sent", "read"), [
    (True, True), ("true", True), ("false", False), ("Y", True), ("N", False), ("yes", True),
    ("no", False), ("1", True), ("0", False),
])
def test_booleans_as_concur_writes_them(sent: Any, read: bool) -> None:
    for answer in both({"Flag": sent}):
        assert answer.flag is read


@pytest.mark.parametrize(("sent", "read"), [
    ("2024-01-02", dt.datetime(2024, 1, 2)),
    ("2024-01-02T03:04:05", dt.datetime(2024, 1, 2, 3, 4, 5)),
    ("2024-01-02T03:04", dt.datetime(2024, 1, 2, 3, 4)),
    ("2024-01-02T03:04:05.678Z", dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)),
    ("2024-01-02 03:04:05", dt.datetime(2024, 1, 2, 3, 4, 5)),
])
def test_date_times_with_or_without_time_and_zone(sent: str, read: dt.datetime) -> None:
    for answer in both({"Moment": sent}):
        assert answer.moment == read


@pytest.mark.parametrize("sent", ["2024-01-02", "2024-01-02T00:00:00", "2024-01-02T13:14:15Z"])
def test_a_date_with_or_without_time(sent: str) -> None:
    for answer in both({"Day": sent}):
        assert answer.day == dt.date(2024, 1, 2)


def test_numbers_as_strings_and_booleans_where_text_is_declared() -> None:
    for answer in both({"Count": "42", "Line": {"Amount": "106.74"}}):
        assert answer.count == 42
        assert answer.line == Line(amount=Decimal("106.74"))
    answer = _codec.decode(b'{"Label": true, "Count": 3.0}', Answer, "json")
    assert (answer.label, answer.count) == ("true", 3)
    with pytest.raises(DecodeError):  # an ID sent as a number is not text
        _codec.decode(b'{"Label": 7}', Answer, "json")


def test_one_object_or_a_list_where_either_occurs() -> None:
    for answer in both({"Line": [{"Code": "A"}], "Lines": {"Code": "B"}}):
        assert answer.line == Line(code="A")
        assert answer.lines == [Line(code="B")]


def test_null_and_missing_anywhere_even_where_a_request_requires_a_value() -> None:
    body = b'{"Flag": null, "Line": {"Code": null}, "Lines": [null, {"Amount": 1}]}'
    answer = _codec.decode(body, Answer, "json")
    assert answer == Answer(line=Line(), lines=[Line(amount=Decimal(1))])


def test_values_the_docs_never_listed_and_answers_beyond_input_limits() -> None:
    header = _codec.decode(b'{"budgetType": "TEAM", "name": "x"}', BudgetItemHeader, "json")
    assert header.budget_type == "TEAM"
    long_id = "X" * 40
    for answer in both({"Line": {"Code": long_id}}):
        assert answer.line is not None
        assert answer.line.code == long_id


def test_a_real_answer_with_string_booleans_and_one_line_for_a_list() -> None:
    body = b'{"IsTest": "false", "PurchaseOrderNumber": "PO1", "LineItem": {"LineNumber": "1"}}'
    order = _codec.decode(body, PurchaseOrder, "json")
    assert order.is_test is False
    assert order.line_item is not None
    assert order.line_item[0].line_number == "1"


def test_what_cannot_be_read_still_raises_naming_the_field() -> None:
    with pytest.raises(DecodeError) as caught:
        _codec.decode(b'{"Count": "many"}', Answer, "json")
    assert caught.value.path == "$.Count"
    with pytest.raises(DecodeError):
        _codec.decode(b"<Answer><Count>many</Count></Answer>", Answer, "xml")


def test_requests_are_still_held_to_what_concur_demands() -> None:
    with pytest.raises(ValidationError, match="missing required field `Code`"):
        check_body(Line())
    with pytest.raises(ValidationError, match="length <= 4"):
        check_body(Line(code="TOOLONG"))
    check_body(Line(code="OK"))
    # TEAM is documented (the Budget page's own request sends it); an unknown type is refused.
    header = BudgetItemHeader(budget_type="SHARED", name="x")
    with pytest.raises(ValidationError, match="Invalid enum value 'SHARED'"):
        check_body(header)


# -- the raw document -----------------------------------------------------------------------------


def test_raw_reaches_fields_the_structs_lack() -> None:
    body = b'{"Label": "a", "Unknown": 1, "Lines": [{"Code": "A", "New": "n"}]}'
    with concur_async.keep_raw():
        answer = _codec.decode(body, Answer, "json")
        assert concur_async.raw(answer)["Unknown"] == 1
        assert answer.lines is not None
        assert concur_async.raw(answer.lines[0]) == {"Code": "A", "New": "n"}
    with pytest.raises(LookupError, match="keep_raw"):
        concur_async.raw(answer)


def test_raw_of_an_xml_answer() -> None:
    with concur_async.keep_raw():
        answer = _codec.decode(b"<Answer><Line><Code>A</Code><Extra>e</Extra></Line></Answer>",
                               Answer, "xml")
        assert answer.line is not None
        assert concur_async.raw(answer.line) == {"Code": "A", "Extra": "e"}


def test_raw_keeps_only_the_last_answers_it_is_asked_to() -> None:
    with concur_async.keep_raw(limit=1):
        first = _codec.decode(b'{"Label": "1"}', Answer, "json")
        _codec.decode(b'{"Label": "2"}', Answer, "json")
        with pytest.raises(LookupError):
            concur_async.raw(first)


async def test_raw_through_the_client_for_a_call_and_a_paginator(concur: MockConcur) -> None:
    concur.route("GET", "/api/v3.0/expense/allocations/A1", concur.reply(
        {"ID": "A1", "Percentage": "50", "NewField": {"Deep": 1}}))
    concur.route("GET", "/api/v3.0/expense/allocations", concur.reply(
        {"Items": [{"ID": "A2", "IsHidden": "Y", "Extra": "kept"}], "NextPage": None}))
    async with concur.client() as client:
        with concur_async.keep_raw():
            one = await client.expense.allocations.get(id="A1")
            assert concur_async.raw(one)["NewField"] == {"Deep": 1}
            async for page in client.expense.allocations.list().pages():
                (item,) = page.items
                assert concur_async.raw(item)["Extra"] == "kept"
                assert concur_async.raw(page.data)["Items"][0]["ID"] == "A2"


def test_a_stream_that_needs_mending_skips_the_failing_fast_try_until_it_is_clean() -> None:
    class Row(V3Struct, kw_only=True):
        flag: bool | None = None

    assert not expects_mending(Row)
    assert _codec.decode(b'{"Flag": "Y"}', Row, "json") == Row(flag=True)
    assert expects_mending(Row)
    assert _codec.decode(b'{"Flag": "N"}', Row, "json") == Row(flag=False)
    assert _codec.decode(b'{"Flag": true}', Row, "json") == Row(flag=True)
    assert not expects_mending(Row)
    with pytest.raises(DecodeError, match="malformed JSON"):
        _codec.decode(b'{"Flag": "Y"', Row, "json")


def test_a_type_whose_answers_bring_strings_for_numbers_is_read_in_lax_mode_from_then_on() -> None:
    class Counted(V3Struct, kw_only=True):
        count: int | None = None

    assert Counted not in json_codec._lax
    assert _codec.decode(b'{"Count": 1}', Counted, "json") == Counted(count=1)
    assert Counted not in json_codec._lax  # a clean answer keeps the faster strict reading
    assert _codec.decode(b'{"Count": "2"}', Counted, "json") == Counted(count=2)
    assert Counted in json_codec._lax
    assert _codec.decode(b'{"Count": 3}', Counted, "json") == Counted(count=3)


def test_mending_gives_up_after_a_bounded_number_of_fields() -> None:
    many = msgspec.defstruct("Many", [(f"f{i}", bool | None, None) for i in range(40)])
    body = json.dumps({f"f{i}": "Y" for i in range(40)}).encode()
    with pytest.raises(DecodeError):
        _codec.decode(body, many, "json")
    few = json.dumps({f"f{i}": "Y" for i in range(10)}).encode()
    assert _codec.decode(few, many, "json").f9 is True
