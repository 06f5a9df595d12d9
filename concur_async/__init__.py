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
    AuthenticationError,
    ConcurError,
    ConfigurationError,
    CoordinationError,
    DecodeError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    ValidationError,
)
from ._limits import RateLimit
from ._paging import AsyncPaginator, Page
from ._retry import RetryPolicy
from .hooks import EventHooks, RequestEvent, RequestHook, ResponseEvent, ResponseHook

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_BASE_URL",
    "APIError",
    "AsyncPaginator",
    "AuthenticationError",
    "ClientCredentialsGrant",
    "ClientStats",
    "ConcurClient",
    "ConcurError",
    "ConfigurationError",
    "CoordinationError",
    "DecodeError",
    "EventHooks",
    "NotFoundError",
    "OperationInfo",
    "Page",
    "PasswordGrant",
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
    "Token",
    "TransportError",
    "ValidationError",
    "credentials_in_env",
    "keep_raw",
    "operations",
    "raw",
]
