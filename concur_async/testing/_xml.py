"""Concur's XML conventions, written independently of the SDK's codec.

The server is the SDK's test oracle, so it must not share the SDK's XML code. The rules follow
the seeds: the root element is named after the schema (``VendorCollection``), every key becomes
a child element, a list becomes that element repeated (``<Vendor>`` once per vendor,
``<Items>`` once per item), booleans are ``true``/``false`` and ``None`` is left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

__all__ = ["dumps", "loads"]

_NAME = re.compile(r"[A-Za-z_][\w.\-]*")
# No entities, no DTD, no network: request bodies come from the code under test.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
)


def dumps(root: str, data: Any) -> bytes:
    """``data`` (a mapping) as an XML document whose root element is ``root``."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>']
    _emit(parts, root, data)
    return "".join(parts).encode()


def _emit(parts: list[str], name: str, value: Any) -> None:
    # Built as text rather than as an lxml tree: a 1,000-vendor page is several times faster.
    if isinstance(value, Mapping):
        parts.append(f"<{name}>")
        for key, child in value.items():
            if child is None or not _valid_name(key):
                continue
            for item in child if isinstance(child, list) else (child,):
                if item is not None:
                    _emit(parts, key, item)
        parts.append(f"</{name}>")
    elif isinstance(value, bool):
        parts.append(f"<{name}>{'true' if value else 'false'}</{name}>")
    else:
        parts.append(f"<{name}>{escape(str(value))}</{name}>")


@lru_cache(maxsize=4096)
def _valid_name(name: Any) -> bool:
    """Whether a key can be an element name; keys that cannot are left out of XML answers."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def loads(body: bytes) -> tuple[str, Any]:
    """(root name, content) of an XML document; raises ``ValueError`` when it is not XML.

    A repeated child becomes a list; a single child stays a single value, so readers that
    expect a list pass the value through ``as_list``. Namespaces are dropped.
    """
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        raise ValueError("a DOCTYPE is not accepted")
    return _local(root.tag), _value(root)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _value(element: etree._Element) -> Any:
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip()
    out: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in children:
        name = _local(child.tag)
        value = _value(child)
        if name not in out:
            out[name] = value
        elif name in repeated:
            out[name].append(value)
        else:
            out[name] = [out[name], value]
            repeated.add(name)
    return out
