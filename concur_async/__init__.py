"""concur-async: an asyncio-first, typed SDK for the SAP Concur web services."""

from ._auth import (
    ClientCredentialsGrant,
    PasswordGrant,
    RefreshTokenGrant,
    StaticToken,
    Token,
)
from ._catalog import OperationInfo, operations
from ._client import DEFAULT_BASE_URL, ClientStats, ConcurClient
from ._codec.raw import keep_raw, raw
from ._env import credentials_in_env
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
from ._paging import AsyncPaginator, Page
from ._rates import RateLimit
from ._retry import RetryPolicy
from .hooks import EventHooks, RequestEvent, RequestHook, ResponseEvent, ResponseHook

__version__ = "0.1.0"

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
