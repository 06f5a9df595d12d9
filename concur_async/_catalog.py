"""The operation catalog: every Concur operation the SDK serves, and the method serving it."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache

from ._auth import StaticToken
from ._resource import Family, Operation, Resource

__all__ = ["OperationInfo", "operations"]

@dataclass(frozen=True, slots=True)
class OperationInfo:
    """One operation: where Concur documents it and which client method serves it."""

    api: str
    version: str
    method: str
    path: str
    #: Dotted path from the client, e.g. ``invoice.vendors.list``.
    name: str
    max_page_size: int | None


def _walk(obj: object, prefix: str, seen: set[int]) -> list[OperationInfo]:
    found: list[OperationInfo] = []
    if id(obj) in seen:
        return found
    seen.add(id(obj))
    if isinstance(obj, Resource):
        for attr, member in inspect.getmembers(type(obj)):
            op = getattr(member, "__concur_operation__", None)
            if isinstance(op, Operation):
                found.append(
                    OperationInfo(
                        op.api, op.version, op.method, op.path, f"{prefix}.{attr}",
                        op.max_page_size,
                    )
                )
    for attr, child in sorted(vars(obj).items()):
        if not attr.startswith("_") and isinstance(child, Resource | Family):
            found.extend(_walk(child, f"{prefix}.{attr}", seen))
    return found


@cache
def _catalog() -> tuple[OperationInfo, ...]:
    from ._client import ConcurClient, _Family

    # Creating a client does no I/O, so a throwaway one can be walked.
    client = ConcurClient(auth=StaticToken("catalog"), base_url="http://127.0.0.1")
    found: list[OperationInfo] = []
    seen: set[int] = set()
    for family in _Family.names(ConcurClient):
        found.extend(_walk(getattr(client, family), family, seen))
    return tuple(found)


def operations() -> list[OperationInfo]:
    """Every operation this SDK serves, with the dotted name of the method that serves it."""
    return list(_catalog())
