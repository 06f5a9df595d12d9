"""Date query parameters, spelled the way each endpoint documents them.

Concur's filters take a ``datetime.date`` or a ``datetime.datetime`` alike, but each endpoint
reads its own spelling: the invoice digests ``YYYY-MM-DD``; the v3 expense reports
``yyyy-MM-dd`` or ``yyyy-MM-ddTHH:mm:ss.SSS``; Travel Request and Insights a UTC time ending
in ``Z``. Python's ``isoformat()`` (``2024-01-02T03:04:05.678900+00:00``) is none of them.
An aware datetime is first moved to UTC, which is what every one of those pages assumes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, get_args

from ._errors import ValidationError

__all__ = ["QueryDate", "Spelling", "is_date_filter", "query_date"]

#: ``date``: YYYY-MM-DD only (a datetime gives its UTC day). ``millis``: a date as
#: YYYY-MM-DD, a datetime as yyyy-MM-ddTHH:mm:ss.SSS. ``utc``: a date as YYYY-MM-DD, a
#: datetime as yyyy-MM-ddTHH:mm:ssZ.
Spelling = Literal["date", "millis", "utc"]


@dataclass(frozen=True, slots=True)
class QueryDate:
    """A date filter's value; ``str()`` gives the spelling its endpoint documents."""

    value: dt.date
    spelling: Spelling

    def __str__(self) -> str:
        value = self.value
        if not isinstance(value, dt.datetime):
            return value.isoformat()
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        if self.spelling == "date":
            return value.date().isoformat()
        if self.spelling == "millis":
            return value.isoformat(timespec="milliseconds")
        return value.isoformat(timespec="seconds") + "Z"


def query_date(value: dt.date | None, spelling: Spelling) -> QueryDate | None:
    """Wrap a date filter for sending (``None`` stays unset); refuse anything but a date."""
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise ValidationError(
            f"a date filter takes a datetime.date or datetime.datetime, not {type(value).__name__}"
        )
    return QueryDate(value, spelling)


def is_date_filter(hint: Any) -> bool:
    """Whether a method parameter is a date filter (``date | datetime | None``)."""
    return {dt.date, dt.datetime} <= set(get_args(hint))
