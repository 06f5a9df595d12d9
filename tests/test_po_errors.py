"""The purchase order error and field-code tables are exactly what seeds 000 and 001 publish.

The tables are read back out of the seed text here (not copied), so a change on either side
fails this test. Skipped when the seed documents are not at hand, like the seed example test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from concur_async.invoice.po_errors import (
    FIELD_LEVELS,
    PO_ERRORS,
    FieldCode,
    describe_po_error,
    parse_field_code,
)
from tools.seedspec import SEEDS


def _seed(number: str) -> str:
    found = sorted(Path(SEEDS).glob(f"{number}_*.txt"))
    if not found:
        pytest.skip(f"seed {number} is not at {SEEDS}")
    return found[0].read_text(encoding="utf-8")


def _after(text: str, marker: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == marker)
    return lines[start + 1 :]


def errors_000() -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in _after(_seed("000"), "Error Code Message"):
        if match := re.fullmatch(r"(\d{4}) (.+)", line.strip()):
            rows[int(match[1])] = match[2]
        elif rows:
            break
    return rows


def errors_001() -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in _after(_seed("001"), "Code|Description"):
        if match := re.fullmatch(r"(\d{4})\|(.+)", line.strip()):
            rows[int(match[1])] = match[2]
    return rows


#: Seed 000's columns in order; the fourth has no heading in the seed (see po_errors).
COLUMNS = (("Ship To / Bill To", {"ShipTo", "BillTo"}), ("Purchase Order", {"Header"}),
           ("Line Item", {"LineItem"}), (None, {"Allocation"}))


def field_levels_000() -> dict[str, frozenset[str]]:
    lines = _after(_seed("000"), "Field Codes:")
    headings = [c[0] for c in COLUMNS if c[0]]
    at = [next(i for i, line in enumerate(lines) if line.strip() == h) for h in headings]
    assert at == sorted(at), "the seed's column headings changed order"
    table: dict[str, frozenset[str]] = {}
    for line in lines[at[-1] + 1 :]:
        match = re.fullmatch(r"(\w+)((?: [YN]){4})", line.strip())
        if match is None:
            if table:
                break
            continue
        marks = match[2].split()
        table[match[1]] = frozenset(
            level for mark, (_, levels) in zip(marks, COLUMNS, strict=True) if mark == "Y"
            for level in levels
        )
    return table


def test_the_error_table_is_the_seeds() -> None:
    from_000, from_001 = errors_000(), errors_001()
    assert len(from_001) == 26
    assert from_000 == from_001, "seeds 000 and 001 disagree"
    assert dict(PO_ERRORS) == from_001


def test_the_field_code_table_is_seed_000s() -> None:
    table = field_levels_000()
    assert len(table) == 50
    assert dict(FIELD_LEVELS) == table


def test_the_levels_are_those_seed_001_names() -> None:
    text = _seed("001")
    (sentence,) = re.findall(r"The possible levels are: ([^.]+)\.", text)
    named = set(re.findall(r"`(\w+)`", sentence))
    assert named == {level for levels in FIELD_LEVELS.values() for level in levels}


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        (5001, "The line item must contain expense type or account code, but not both."),
        ("5001", "The line item must contain expense type or account code, but not both."),
        (" 8000 ", "A required field is missing."),
        ("9999", "An unexpected error occurred."),
        (4242, None),
        ("", None),
        ("E5001", None),
        (None, None),
        (True, None),
    ],
)
def test_describe_po_error(code: int | str | None, meaning: str | None) -> None:
    assert describe_po_error(code) == meaning


def test_parse_field_code() -> None:
    assert parse_field_code("LineItem Quantity") == FieldCode("LineItem", "Quantity")
    assert parse_field_code("  header   PoNumber ") == FieldCode("Header", "PoNumber")
    assert parse_field_code("Allocation Custom7") == FieldCode("Allocation", "Custom7")
    assert parse_field_code("ShipTo StateProvince") == FieldCode("ShipTo", "StateProvince")
    assert parse_field_code(None) is None
    assert parse_field_code("   ") is None
    # Without a documented level, the whole text is kept as the field.
    assert parse_field_code("Quantity") == FieldCode(None, "Quantity")
    assert parse_field_code("Vendor Code") == FieldCode(None, "Vendor Code")
    assert parse_field_code("LineItem") == FieldCode(None, "LineItem")


def test_a_field_code_knows_whether_seed_000_documents_it() -> None:
    assert FieldCode("LineItem", "Quantity").documented
    assert FieldCode("Allocation", "Amount").documented
    assert FieldCode("BillTo", "ExternalId").documented  # the seed spells it ExtermalId
    assert not FieldCode("Header", "Quantity").documented
    assert not FieldCode("LineItem", "Custom21").documented
    assert not FieldCode(None, "Quantity").documented
    assert str(FieldCode("LineItem", "UnitPrice")) == "LineItem UnitPrice"
    assert str(FieldCode(None, "Odd")) == "Odd"
