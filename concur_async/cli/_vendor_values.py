"""Vendor values Concur types as text but documents as flags or numbers.

The Vendor v3.1 field table gives every vendor field the type ``string`` (``PaymentTerms``
aside, an integer from 1 to 999, which the ``Vendor`` struct already checks), yet its
descriptions say what the text must hold: ``Approved`` is the approval status the vendor
search takes as ``True``/``False``, ``Is...`` fields are flags, ``DiscountPercentage`` a
percentage, ``DiscountTermsDays`` a number of days. Concur stores a wrong value as given or
refuses it item by item; the CLI refuses it before anything is sent, with the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["FLAGS", "PERCENTAGES", "WHOLE_NUMBERS", "vendor_value_problem"]

FLAGS = frozenset({"Approved", "IsLineItemVatIncld", "IsVisibleForContentExtraction"})
PERCENTAGES = frozenset({"DiscountPercentage"})
WHOLE_NUMBERS = frozenset({"DiscountTermsDays"})


def vendor_value_problem(record: Mapping[str, Any]) -> str | None:
    """What is wrong with the first mistyped value of a vendor record, or None."""
    for name, value in record.items():
        text = value if isinstance(value, str) else None
        if text is None:
            continue  # a JSON true or 5 is the struct's to accept or refuse
        if name in FLAGS and text.strip().lower() not in ("true", "false"):
            return f"{name} must be true or false, not {text!r}"
        if name in PERCENTAGES and not _is_number(text, low=0, high=100):
            return f"{name} must be a percentage from 0 to 100, not {text!r}"
        if name in WHOLE_NUMBERS and not (text.strip().isdigit()):
            return f"{name} must be a whole number of days, not {text!r}"
    return None


def _is_number(text: str, *, low: int, high: int) -> bool:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return False
    return number.is_finite() and low <= number <= high
