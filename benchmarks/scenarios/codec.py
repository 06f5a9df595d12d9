"""Scenario 6: the same 1,000-vendor page decoded as JSON and as XML, and writes encoded as
JSON and as XML (no network; CPU time).

The JSON contenders are ``benchmarks.codec_bench``'s; the XML ones are the routes issue 16
asked to weigh (``benchmarks.xml_options``): the SDK against a hand-written lxml walk, an
incremental parse, a transform in C, other parsers. Two more rows give the floor under any
reader built on lxml: its parse alone, and its parse plus reading every element's tag and text
once from Python.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from concur_async._codec import xml as xml_codec
from concur_async.invoice.vendors import VendorCollection

from .. import codec_bench, xml_options
from .._measure import Goal, Report, Row, alternate
from ._common import Context

__all__ = ["run"]

JSON = "codec json -> structs"
XML = xml_options.SDK
HAND = xml_options.HAND
FLOOR = "lxml parse only (the XML floor)"
TOUCH = "lxml parse + read each element's tag and text"
BATCH = 100


def _rounds(fn: Callable[[], int]) -> Callable[[], float]:
    """Units per CPU second over enough calls of ``fn`` to fill a round."""
    fn()  # warm caches (decoders, plans) outside the measurement
    once = time.process_time()
    fn()
    loops = max(1, round(codec_bench.ROUND_SECONDS / max(time.process_time() - once, 1e-4)))

    def measure() -> float:
        started = time.process_time()
        items = sum(fn() for _ in range(loops))
        return items / max(time.process_time() - started, 1e-9)

    return measure


def run(ctx: Context) -> Report:
    as_json, as_xml = codec_bench.page()
    functions = codec_bench._contenders(as_json, as_xml)
    size = codec_bench.PAGE_SIZE
    functions.update(xml_options.decoders(as_xml))
    functions[FLOOR] = lambda: len(xml_codec.parse(as_xml)) and size
    functions[TOUCH] = lambda: len([(e.tag, e.text) for e in xml_codec.parse(as_xml).iter()
                                    ]) and size
    batch = VendorCollection(vendor=[codec_bench._vendor(i) for i in range(BATCH)])
    writes = xml_options.encoders(batch, xml_options.purchase_order())
    functions.update(writes)
    first = [JSON, XML, xml_options.SDK_INDENTED, HAND, FLOOR, TOUCH]
    order = first + [n for n in functions if n not in first]
    samples = alternate({name: _rounds(functions[name]) for name in order}, ctx.repeats)
    report = Report(
        "codec", f"6. Decode one {size:,}-vendor page: JSON ({len(as_json):,} bytes) vs XML "
                 f"({len(as_xml):,} bytes); encode a {BATCH}-vendor batch and a purchase "
                 f"order; no network, CPU time",
        [Row(name, "items/s" if name not in writes else "documents/s", values)
         for name, values in samples.items()],
        reference=JSON, ratio_label="JSON / this",
    )
    xml_ratio = report.row(JSON).better_by(report.row(XML))
    report.goals.append(Goal("XML decode time / JSON decode time", xml_ratio,
                             codec_bench.XML_GOAL, at_least=False))
    report.goals.append(Goal("SDK XML decode speed / hand-written lxml walk",
                             report.row(XML).better_by(report.row(HAND)), 1.0))
    for what in ("100-vendor batch", "purchase order"):
        as_json_row = report.row(f"codec json <- {what}")
        report.goals.append(Goal(f"XML encode time / JSON encode time ({what})",
                                 as_json_row.better_by(report.row(f"codec xml <- {what}")),
                                 codec_bench.XML_GOAL, at_least=False))
    floor = report.row(JSON).better_by(report.row(FLOOR))
    touch = report.row(JSON).better_by(report.row(TOUCH))
    report.notes.append(
        f"lxml's parse alone takes {floor:.1f}x the JSON decode, and parsing plus reading "
        f"each element's tag and text once from Python {touch:.1f}x: every reader here that "
        f"builds a tree pays at least its parse, and every one walked from Python pays about "
        f"the second (docs/xml.md says which route won and why)")
    report.notes.append("the encode rows' ratio column compares them with the JSON page "
                        "decode; their goals compare XML with JSON encoding of the same writes")
    skipped = xml_options.missing()
    if skipped:
        report.notes.append(f"not measured (not installed): {', '.join(skipped)}")
    return report
