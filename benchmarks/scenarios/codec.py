"""Scenario 6: decoding the same 1,000-vendor page as JSON and as XML (no network).

The page and the contenders are ``benchmarks.codec_bench``'s; this adds the floor under the
XML path: lxml parsing the page into a tree with the SDK's hardened parser, nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from concur_async._codec import xml as xml_codec

from .. import codec_bench
from .._measure import Goal, Report, Row, alternate
from ._common import Context

__all__ = ["run"]

JSON = "codec json -> structs"
XML = "codec xml -> structs"
FLOOR = "lxml parse only (the XML floor)"
TOUCH = "lxml parse + read each element's tag and text"


def _rounds(fn: Callable[[], int]) -> Callable[[], float]:
    fn()  # warm caches (decoders, plans) outside the measurement
    once = time.perf_counter()
    fn()
    loops = max(1, round(codec_bench.ROUND_SECONDS / max(time.perf_counter() - once, 1e-6)))

    def measure() -> float:
        started = time.perf_counter()
        items = sum(fn() for _ in range(loops))
        return items / (time.perf_counter() - started)

    return measure


def run(ctx: Context) -> Report:
    as_json, as_xml = codec_bench.page()
    functions = codec_bench._contenders(as_json, as_xml)
    size = codec_bench.PAGE_SIZE
    functions[FLOOR] = lambda: len(xml_codec.parse(as_xml)) and size
    functions[TOUCH] = lambda: len([(e.tag, e.text) for e in xml_codec.parse(as_xml).iter()
                                    ]) and size
    first = [JSON, XML, FLOOR, TOUCH]
    order = first + [n for n in functions if n not in first]
    samples = alternate({name: _rounds(functions[name]) for name in order}, ctx.repeats)
    report = Report(
        "codec", f"6. Decode one {size:,}-vendor page: JSON ({len(as_json):,} bytes) vs XML "
                 f"({len(as_xml):,} bytes), no network",
        [Row(name, "items/s", values) for name, values in samples.items()],
        reference=JSON, ratio_label="JSON / this",
    )
    xml_ratio = report.row(JSON).better_by(report.row(XML))
    floor = report.row(JSON).better_by(report.row(FLOOR))
    report.goals.append(Goal("XML decode time / JSON decode time", xml_ratio,
                             codec_bench.XML_GOAL, at_least=False))
    touch = report.row(JSON).better_by(report.row(TOUCH))
    report.notes.append(
        f"lxml's parse alone takes {floor:.1f}x the JSON decode, and parsing plus reading "
        f"each element's tag and text once from Python (one lxml proxy and two strings per "
        f"element, nothing else) {touch:.1f}x: a decoder walking lxml's tree from Python "
        f"cannot come near 3x; the SDK's walk and msgspec.convert add the rest")
    return report
