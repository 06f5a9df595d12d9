"""concur-async: an asyncio-first, typed SDK for the SAP Concur web services.

What a call needs is imported here; the rest (the paginator and the resource machinery, the
operation catalog, configuration from the environment) on first use of its name, as the API
families are on first use of ``client.<family>``: ``import concur_async`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._auth import (
    ClientCredentialsGrant,
    PasswordGrant,
    RefreshTokenGrant,
    StaticToken,
    Token,
)
from ._client import DEFAULT_BASE_URL, ClientStats, ConcurClient
from ._codec.raw import keep_raw, raw
from ._errors import (
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConcurError,
    ConfigurationError,
    ConnectError,
    CoordinationError,
    DecodeError,
    LocalError,
    MalformedAnswerError,
    NotFoundError,
    PagingLoopError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    TimeoutError,
    TransportError,
    UntrustedURLError,
    ValidationError,
)
from ._rates import RateLimit
from ._retry import RetryPolicy
from .hooks import EventHooks, RequestEvent, RequestHook, ResponseEvent, ResponseHook

if TYPE_CHECKING:
    from ._catalog import OperationInfo, operations
    from ._env import credentials_in_env
    from ._paging import AsyncPaginator, Page

__version__ = "0.1.0"

#: Public names imported on first use, and the module each comes from.
_LAZY = {
    "AsyncPaginator": "._paging",
    "Page": "._paging",
    "OperationInfo": "._catalog",
    "operations": "._catalog",
    "credentials_in_env": "._env",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once: later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__all__ = [
    "DEFAULT_BASE_URL",
    "APIError",
    "APIStatusError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ClientCredentialsGrant",
    "ClientStats",
    "ConcurClient",
    "ConcurError",
    "ConfigurationError",
    "ConnectError",
    "CoordinationError",
    "DecodeError",
    "EventHooks",
    "LocalError",
    "MalformedAnswerError",
    "NotFoundError",
    "OperationInfo",
    "Page",
    "PagingLoopError",
    "PasswordGrant",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RefreshTokenGrant",
    "RequestEvent",
    "RequestHook",
    "ResponseEvent",
    "ResponseHook",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "StaticToken",
    "TimeoutError",
    "Token",
    "TransportError",
    "UntrustedURLError",
    "ValidationError",
    "credentials_in_env",
    "keep_raw",
    "operations",
    "raw",
]
