"""Every field Concur's examples show exists on the SDK's structs.

Decoding ignores a field the struct lacks, so a missing field loses data silently: the corpus
tests cannot see it. This walks each checked example of ``manifest.json`` beside the struct
its method reads or sends, and lists every key (JSON) or element (XML) with no field. The only
exceptions are the docs' own typos, listed below with the spelling Concur really uses.
"""

from __future__ import annotations

import functools
import json
import types
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import msgspec
from lxml import etree

from .test_corpus import CHECKED, body_of, document_type

#: (struct, key) the docs spell wrongly -> why it is no field.
TYPOS: dict[tuple[str, str], str] = {
    ("Vendor", "DiscountTemsDays"): "DiscountTermsDays misspelt (2016 Vendors page)",
    ("Vendor", "Shippingmethod"): "ShippingMethod in lower case (2016 Vendors page)",
    ("Vendor", "PaymentTermDays"): "PaymentTerms / PaymentTermsDays misspelt (2016 Vendors page)",
    ("AttendeeGet", "Cust om1"): "Custom1 with a space in it (attendees guide)",
    ("ListItemGet", "..."): "an elision written as a key (user provisioning guide)",
    ("BudgetItemHeader", "Additional budget item headers removed for brevity"):
        "an elision written as a key (2018 Budget page)",
    ("BudgetItemDetail", "Additional budget item details removed for brevity"):
        "an elision written as a key (2018 Budget page)",
    ("FiscalPeriod", "Additional fiscal periods removed for brevity"):
        "an elision written as a key (2018 Fiscal Year page)",
}

#: Examples of an older page whose shape the current page replaced -> why their keys are not
#: required on the struct. They still decode through their method (test_corpus).
SUPERSEDED: dict[str, str] = {
    **dict.fromkeys(
        ["api-reference-budget-budget-header-l326", "api-reference-budget-budget-header-l335"],
        "the 2018 page answered a save with the whole header; the current page answers "
        "{success, budgetItemHeaderSyncGuid}",
    ),
    "api-reference-budget-budget-header-l368": "the 2018 page shows one header as the list "
    "answer; the current page a paged budgetItemHeaders result",
    "api-reference-common-connection-requests-connection-requests-resource-l117": "the 2014 "
    "page shows one connection request in XML under the list section",
    "api-reference-common-connection-requests-connection-requests-resource-l226": "the 2014 "
    "page sends the whole connection request to change its Status; the current page sends "
    "Status alone",
}


@functools.cache
def _struct(hint: Any) -> type[msgspec.Struct] | None:
    """The struct a field's value decodes into, through lists, unions and annotations."""
    origin = get_origin(hint)
    if origin is Annotated:
        return _struct(get_args(hint)[0])
    if origin in (list, Union, types.UnionType):
        found = [s for arg in get_args(hint) if (s := _struct(arg)) is not None]
        return found[0] if found else None
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return hint
    return None


@functools.cache
def _fields(cls: type[msgspec.Struct]) -> dict[str, Any]:
    hints = get_type_hints(cls, include_extras=True)
    return {f.encode_name: hints[f.name] for f in msgspec.structs.fields(cls)}


def _walk_json(value: Any, cls: type[msgspec.Struct] | None, at: str, out: set[str]) -> None:
    if cls is None:
        return
    if isinstance(value, list):
        for item in value:
            _walk_json(item, cls, at, out)
        return
    if not isinstance(value, dict):
        return
    fields = _fields(cls)
    for key, child in value.items():
        if key not in fields:
            if (cls.__name__, key) not in TYPOS:
                out.add(f"{cls.__name__}.{key}")
            continue
        _walk_json(child, _struct(fields[key]), f"{at}.{key}", out)


def _walk_xml(element: Any, cls: type[msgspec.Struct] | None, out: set[str]) -> None:
    if cls is None:
        return
    fields = _fields(cls)
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment
        tag = etree.QName(child).localname
        if tag not in fields:
            if (cls.__name__, tag) not in TYPOS:
                out.add(f"{cls.__name__}.{tag}")
            continue
        inner = _struct(fields[tag])
        if inner is None:
            continue
        names = _fields(inner)
        wrapped = len(child) and all(etree.QName(g).localname not in names for g in child
                                     if isinstance(g.tag, str))
        for item in (child if wrapped else [child]):
            _walk_xml(item, inner, out)


def missing_fields(entry: dict[str, Any]) -> set[str]:
    tp = document_type(entry)
    out: set[str] = set()
    if entry["format"] == "json":
        _walk_json(json.loads(body_of(entry)), _struct(tp), "$", out)
    else:
        _walk_xml(etree.fromstring(body_of(entry)), _struct(tp), out)
    return out


def test_every_documented_field_is_on_its_struct() -> None:
    missing: dict[str, set[str]] = {}
    for entry in CHECKED:
        if (entry["status"] or 200) >= 400 or entry["id"] in SUPERSEDED:
            continue  # an error body (the errors' own parsing reads it), or a replaced shape
        for name in missing_fields(entry):
            missing.setdefault(name, set()).add(entry["id"])
    assert not set(SUPERSEDED) - {e["id"] for e in CHECKED}, "SUPERSEDED names no example"
    report = [f"{name} (e.g. {sorted(ids)[0]})" for name, ids in sorted(missing.items())]
    assert not missing, f"{len(missing)} documented fields have no struct field:\n" + "\n".join(
        report)
