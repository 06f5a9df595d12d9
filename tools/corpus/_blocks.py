"""The JSON and XML examples of one page, each with the operation and direction it documents.

A page is read top to bottom the way a person reads it: a request line (``GET /api/v3.0/...``,
in a code block or in prose) names the operation that the following examples belong to; a
heading or label saying *request* or *response*, a block opening with a request line, or one
opening with ``HTTP/1.1 200 OK`` says which side of the call the next example shows.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from ._routes import Route, find_request, find_url, match

__all__ = ["Block", "blocks"]

_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
_STATUS = re.compile(r"^\s*(?:HTTP(?:/|\s)?[\d.]*\s+)?([1-5]\d\d)\s+[A-Za-z]", re.IGNORECASE)
_DOCUMENT = re.compile(r"^\s*(\{|\[|<[A-Za-z?!])")
_FAILURE = re.compile(r"unsuccessful|\berror|\bfail", re.IGNORECASE)
_ERROR_BODY = re.compile(r'^\s*[{<]\s*"?(Error|error|errors|Message|message)\b"?\s*[:>]')
_HEADING = re.compile(r"^\s*(#{1,6}\s|<h\d)")
#: A section heading's verb, for a URL written without its method.
_VERBS = (("GET", r"get|retrieve|list|search|read|query"), ("POST", r"create|add|post|submit"),
          ("PUT", r"update|put|modify|change"), ("DELETE", r"delete|remove"))
_LABEL = re.compile(r"^\s*(?:#{1,6}\s|\*\*|__|<h\d|<strong>|<b>)|:\s*$|^\s*\S.{0,80}$")


@dataclass(frozen=True, slots=True)
class Block:
    #: 1-based line of the document's first line in the page.
    line: int
    route: Route | None
    direction: str | None
    status: int | None
    format: str
    body: str


def _side(label: str) -> str | None:
    low = label.lower()
    request = bool(re.search(r"\brequests?\b|\binput\b", low))
    response = bool(re.search(r"\bresponses?\b|\bresults?\b|\boutput\b|\breply\b", low))
    if request != response:
        return "request" if request else "response"
    return None


def _verb(heading: str) -> str | None:
    low = heading.lower()
    found = [(m.start(), method) for method, words in _VERBS
             if (m := re.search(rf"\b({words})\b", low))]
    return min(found)[1] if found else None


def _fenced(lines: list[str]) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line number, block lines or None for a prose line, the prose line)."""
    number = 0
    while number < len(lines):
        opening = _FENCE.match(lines[number])
        if not opening:
            yield number, None, lines[number]
            number += 1
            continue
        fence = opening.group(1)
        start = number + 1
        number = start
        while number < len(lines) and not lines[number].strip().startswith(fence[:3]):
            number += 1
        yield start, lines[start:number], ""
        number += 1


def blocks(text: str) -> Iterator[Block]:
    lines = text.splitlines()
    route: Route | None = None
    side: str | None = None
    status: int | None = None
    verb: str | None = None
    failure = False
    for start, content, prose in _fenced(lines):
        if content is None:
            if _HEADING.match(prose) and (said_verb := _verb(prose)) is not None:
                verb = said_verb
            found = find_request(prose) or find_url(prose, verb)
            if found is not None:
                route, side, status = found, None, None
            elif _LABEL.search(prose) and (said := _side(prose)) is not None:
                side = said
                status = None if said == "request" else status
                failure = bool(_FAILURE.search(prose))
            continue
        for offset, line in enumerate(content):
            if _DOCUMENT.match(line) and not line.strip().startswith("<http"):
                body = textwrap.dedent("\n".join(content[offset:])).strip("\n")
                fmt = "xml" if body.lstrip().startswith("<") else "json"
                if failure and status is None and _ERROR_BODY.search(body):
                    status = 400  # "an unsuccessful response", its status left unsaid
                if side == "request" and route is not None and route.method == "GET" and (
                        verb in ("POST", "PUT")):
                    # A body under "POST a Budget Item" whose example line says GET: the
                    # section, not the slip, names the operation.
                    corrected = match(verb, route.path)
                    route = corrected if corrected.name is not None else route
                yield Block(start + offset + 1, route, side, status, fmt, body)
                break
            if (found := find_request(line)) is not None:
                route, side, status = found, "request", None
            elif (found := find_url(line, verb)) is not None:
                route, side, status = found, None, None
            elif (code := _STATUS.match(line)) is not None:
                side, status = "response", int(code.group(1))
