"""Every XML example of the corpus reads into the same builtins as with the walk the codec
had before issue 16 (``tests/xml_reference.py``), as its own type and as a page of vendors."""

from __future__ import annotations

from typing import Any

import pytest
import xml_reference

from concur_async._codec import xml as xml_codec
from concur_async._codec._shape import shape_of
from concur_async.invoice.vendors import VendorCollection

from .test_corpus import EXAMPLES, body_of, document_type

XML = [pytest.param(e, id=e["id"]) for e in EXAMPLES
       if e["format"] == "xml" and e["skip"] is None]


@pytest.mark.parametrize("entry", XML)
def test_an_xml_example_reads_as_it_always_did(entry: dict[str, Any]) -> None:
    root = xml_codec.parse(body_of(entry))
    before = xml_reference.parse(body_of(entry))
    for type_ in (document_type(entry), VendorCollection):
        if type_ is None:
            continue
        assert xml_codec.walked(root, shape_of(type_)) == xml_reference.walked(before, type_)


def test_the_corpus_has_xml_to_check() -> None:
    assert len(XML) > 100
