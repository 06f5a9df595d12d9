"""ConcurClient: one aiohttp session, the token, the limits, and the one request loop."""

from __future__ import annotations

import copy
import importlib
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar, overload
from urllib.parse import urlsplit

import aiohttp
import anyio
import msgspec

from . import _codec
from ._answer import Answer, decode_answer
from ._auth import Grant, TokenCallback, TokenManager, accepts_geolocation
from ._coordination import Coordination, LocalCoordination
from ._errors import (
    APIStatusError,
    ClientClosedError,
    ConcurError,
    ConfigurationError,
    MalformedAnswerError,
    TransportError,
    UntrustedURLError,
    ValidationError,
    api_error,
    redact_url,
)
from ._limits import Limiter
from ._rates import DEFAULT_FAMILY_LIMITS, RateLimit
from ._requester import Peek, WireFormat
from ._retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after
from ._token import Token
from ._transport import (
    CONCUR_SUFFIX,
    clean_params,
    describe,
    exchange,
    is_loopback,
    origin,
)
from .hooks import EventHooks, Hooks, RequestEvent, ResponseEvent

if TYPE_CHECKING:
    from .budget import Budget
    from .common import Common
    from .expense import Expense
    from .image import Image
    from .insights import Insights
    from .invoice import Invoice
    from .invoice_pay import InvoicePay
    from .purchase_request import PurchaseRequest
    from .quick_expense import QuickExpense
    from .travel_request import TravelRequest

__all__ = ["DEFAULT_BASE_URL", "ClientStats", "ConcurClient", "WireFormat"]

log = logging.getLogger("concur_async")

T = TypeVar("T")
DEFAULT_BASE_URL = "https://us.api.concursolutions.com"
_MEDIA = {"json": "application/json", "xml": "application/xml"}
#: Where an app revokes a user's connection (all of its refresh tokens for that user).
REVOKE_PATH = "/app-mgmt/v0/connections"


F = TypeVar("F")


class _Family(Generic[F]):
    """An API family attribute: imported on first use (the SDK imports fast), then kept on
    the client like a ``cached_property``."""

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name
        self._attr = module

    def __set_name__(self, owner: type, attr: str) -> None:
        self._attr = attr

    @overload
    def __get__(self, client: None, owner: type) -> _Family[F]: ...

    @overload
    def __get__(self, client: ConcurClient, owner: type) -> F: ...

    def __get__(self, client: ConcurClient | None, owner: type) -> _Family[F] | F:
        if client is None:
            return self
        family: F = getattr(importlib.import_module(f".{self._module}", __package__), self._name)(
            client
        )
        client.__dict__[self._attr] = family
        return family

    @staticmethod
    def names(owner: type) -> list[str]:
        return [name for name, value in vars(owner).items() if isinstance(value, _Family)]


@dataclass(slots=True)
class ClientStats:
    """Counters a caller can read for a summary or a metric."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    token_refreshes: int = 0


class ConcurClient:
    """An async session for the SAP Concur APIs.

    Creating it does no I/O; ``async with ConcurClient(...) as client:`` opens the session and
    closing it releases every connection. One client is meant to be shared by all tasks of a
    process: its limits, retries and token refresh are coordinated across them.
    """

    def __init__(
        self,
        *,
        auth: Grant,
        base_url: str = DEFAULT_BASE_URL,
        token_url: str | None = None,
        max_concurrency: int = 32,
        requests_per_second: float | None = None,
        family_limits: Mapping[str, RateLimit] = DEFAULT_FAMILY_LIMITS,
        wire_format: WireFormat = "json",
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        trust_env: bool = False,
        retry: RetryPolicy | None = None,
        on_token_refresh: TokenCallback | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        event_hooks: EventHooks | None = None,
        max_response_bytes: int = 64 * 2**20,
        user_agent: str = "concur-async/0.1",
        coordination: Coordination | None = None,
    ) -> None:
        self.base_url = self._check_url(base_url, "base_url").rstrip("/")
        self.token_url = self._check_url(
            token_url or f"{self.base_url}/oauth2/v0/token", "token_url"
        )
        if wire_format not in _MEDIA:
            raise ConfigurationError(f"wire_format must be 'json' or 'xml', not {wire_format!r}")
        if max_response_bytes < 1024:
            raise ConfigurationError("max_response_bytes must be at least 1024")
        self.wire_format: WireFormat = wire_format
        self.retry = retry or RetryPolicy()
        #: Shared with other processes of the identity (``concur_async.redis``), or not.
        self.coordination = coordination or LocalCoordination()
        self.limiter = Limiter(
            max_concurrency=max_concurrency,
            coordination=self.coordination,
            requests_per_second=requests_per_second,
            family_limits=family_limits,
        )
        self.stats = ClientStats()
        self.max_response_bytes = max_response_bytes
        self._auth = TokenManager(
            auth, token_url=self.token_url, base_url=self.base_url,
            on_token_refresh=on_token_refresh, accept_geolocation=self._accepts_geolocation,
            retry=self.retry, store=self.coordination,
        )
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self._trust_env = trust_env
        self._trace_configs = list(trace_configs)
        self._hooks = Hooks(event_hooks)
        self._hooked = bool(self._hooks)  # asked once here, not on every attempt
        self._api_base = self.base_url
        self._api_base_of: object = object()  # the token _api_base was made for (none yet)
        self._user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        #: Set on a ``with_options`` view: the client that owns the session.
        self._owner: ConcurClient | None = None

    @staticmethod
    def _check_url(url: str, name: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"{name} must be an absolute http(s) URL")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            # Tokens travel in headers: plain HTTP is only tolerated on this machine.
            raise ConfigurationError(f"{name} must use https unless it is a loopback address")
        if parts.username or parts.password or parts.query:
            raise ConfigurationError(f"{name} must not carry credentials or a query string")
        return url

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        credtype: Literal["password", "authtoken"] | None = None,
        access_token: str | None = None,
        refresh_token_file: str | Path | None = None,
        base_url: str | None = None,
        token_url: str | None = None,
        redis_url: str | None = None,
        redis_namespace: str | None = None,
        on_token_refresh: Callable[[Token], Awaitable[None]] | None = None,
        **options: Any,
    ) -> Self:
        """A client configured from ``CONCUR_*`` variables (the table is in ``_env``).

        Each keyword named after a variable wins over it; ``on_token_refresh`` runs after the
        refresh-token file (if any) is written; every other keyword goes to ``ConcurClient``.
        """
        from ._env import read_env

        config = read_env(
            environ, client_id=client_id, client_secret=client_secret, refresh_token=refresh_token,
            username=username, password=password, credtype=credtype, access_token=access_token,
            refresh_token_file=refresh_token_file, base_url=base_url, token_url=token_url,
            redis_url=redis_url, redis_namespace=redis_namespace,
        )
        return cls(**config.client_options(on_token_refresh), **options)

    def __repr__(self) -> str:
        owner = self._owner or self
        state = "open" if owner._session else ("closed" if owner._closed else "new")
        return (
            f"ConcurClient(base_url={self.base_url!r}, auth={self._auth!r}, "
            f"max_concurrency={self.limiter.max_concurrency}, wire_format={self.wire_format!r}, "
            f"state={state})"
        )

    # -- lifecycle ----------------------------------------------------------------------

    async def __aenter__(self) -> ConcurClient:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def with_options(
        self,
        *,
        wire_format: WireFormat | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> ConcurClient:
        """This client with other defaults, e.g. ``client.with_options(wire_format="xml")``.

        The view shares the owner's session, token, limits and stats; closing it closes nothing.
        ``timeout`` replaces the per-request total time; ``retry`` the retry policy.
        """
        if wire_format is not None and wire_format not in _MEDIA:
            raise ConfigurationError(f"wire_format must be 'json' or 'xml', not {wire_format!r}")
        if timeout is not None and timeout <= 0:
            raise ConfigurationError("timeout must be positive")
        view = copy.copy(self)
        # Families are cached per client; the view's must call back into the view.
        for name in _Family.names(ConcurClient):
            view.__dict__.pop(name, None)
        view._owner = self._owner or self
        view.wire_format = wire_format or self.wire_format
        view.retry = retry or self.retry
        if timeout is not None:
            view._timeout = aiohttp.ClientTimeout(total=timeout, connect=self._timeout.connect)
        return view

    async def open(self) -> None:
        if self._owner is not None:
            await self._owner.open()
            return
        if self._closed:
            raise ClientClosedError("this ConcurClient is closed; create a new one")
        if self._session is None:
            # First: an unreachable coordination store fails here, before any request.
            await self.coordination.open()
            connector = aiohttp.TCPConnector(
                limit=self.limiter.max_concurrency, limit_per_host=0, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                trust_env=self._trust_env,
                trace_configs=self._trace_configs or None,
                headers={"User-Agent": self._user_agent},
                auto_decompress=True,
            )

    async def aclose(self) -> None:
        if self._owner is not None:
            return
        self._closed = True
        session, self._session = self._session, None
        with anyio.CancelScope(shield=True):
            # A refresh under way ends first: Concur rotated the refresh token on receipt.
            await self._auth.aclose()
            if session is not None:
                await session.close()
                await self.coordination.aclose()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._owner is not None:
            return self._owner.session
        if self._session is None:
            if self._closed:
                raise ClientClosedError(
                    "this ConcurClient was closed by aclose(); create a new one"
                )
            raise ClientClosedError(
                "ConcurClient is not open: use `async with ConcurClient(...) as client:`"
            )
        return self._session

    @property
    def token_manager(self) -> TokenManager:
        return self._auth

    @property
    def api_base_url(self) -> str:
        """Where API calls go: the token's geolocation once Concur has named one."""
        return self._api_base_for(self._auth.token)

    def _api_base_for(self, token: Token | None) -> str:
        # Worked out once per token, not on every call: only another token (or none) may name
        # another geolocation.
        if token is not self._api_base_of:
            geolocation = self._auth.geolocation
            self._api_base = geolocation.rstrip("/") if geolocation else self.base_url
            self._api_base_of = token
        return self._api_base

    async def revoke(self) -> None:
        """Disconnect the user from the app: Concur revokes every refresh token the app holds
        for them (``DELETE /app-mgmt/v0/connections``), then the client forgets its token.

        The call is made with the user's access token, like any other. If it fails the token
        is kept, so the revocation can be retried. A copy of the refresh token persisted
        elsewhere (``on_token_refresh``) is dead afterwards and should be deleted too.
        """
        await self.request("DELETE", REVOKE_PATH, response_type=bytes, idempotent=True)
        await self._auth.forget()

    # -- API families -------------------------------------------------------------------

    invoice: _Family[Invoice] = _Family("invoice", "Invoice")
    expense: _Family[Expense] = _Family("expense", "Expense")
    common: _Family[Common] = _Family("common", "Common")
    insights: _Family[Insights] = _Family("insights", "Insights")
    budget: _Family[Budget] = _Family("budget", "Budget")
    travel_request: _Family[TravelRequest] = _Family("travel_request", "TravelRequest")
    invoice_pay: _Family[InvoicePay] = _Family("invoice_pay", "InvoicePay")
    purchase_request: _Family[PurchaseRequest] = _Family("purchase_request", "PurchaseRequest")
    quick_expense: _Family[QuickExpense] = _Family("quick_expense", "QuickExpense")
    image: _Family[Image] = _Family("image", "Image")

    # -- URLs ---------------------------------------------------------------------------

    def trusts(self, url: str) -> bool:
        """Whether ``url`` may receive this client's token."""
        api = self._api_base_for(self._auth.token)
        if url.startswith(api) and url[len(api):len(api) + 1] == "/":
            # Every call made with a path is here: a URL that continues the API base with a
            # "/" has the base's scheme and authority (which ends at its first "/"), so the
            # same origin, without parsing it.
            return True
        scheme, host, port = origin(url)
        for own in (self.base_url, api, self.token_url):
            if (scheme, host, port) == origin(own):
                return True
        return scheme == "https" and host.endswith(CONCUR_SUFFIX)

    def _accepts_geolocation(self, url: str) -> bool:
        """Whether a token answer's ``geolocation`` may become the API base URL (the rules
        are ``accepts_geolocation``'s)."""
        return accepts_geolocation(url, client_urls=(self.base_url, self.token_url))

    def resolve(self, url: str) -> str:
        """An absolute URL for ``url``: a path joins the API base; a full URL must be trusted."""
        if url.startswith(("http://", "https://")):
            if not self.trusts(url):
                raise UntrustedURLError(
                    "refusing to send the token to a foreign host", url=redact_url(url)
                )
            return url
        return self.api_base_url + ("" if url.startswith("/") else "/") + url

    def _target(self, url: str, token: Token) -> str:
        # What resolve() gives, sooner for the usual path (already checked by the caller);
        # ``token`` is the manager's current one.
        return self._api_base_for(token) + url if url.startswith("/") else self.resolve(url)

    # -- the request loop ---------------------------------------------------------------

    @overload
    async def request(
        self,
        method: str,
        url: str,
        *,
        response_type: type[T],
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        xml: msgspec.Struct | bytes | str | None = ...,
        body: msgspec.Struct | None = ...,
        root: str | None = ...,
        content: bytes | AsyncIterable[bytes] | aiohttp.FormData | None = ...,
        headers: Mapping[str, str] | None = ...,
        wire_format: WireFormat | None = ...,
        idempotent: bool | None = ...,
        family: str | None = ...,
        timeout: float | None = ...,  # noqa: ASYNC109 - per attempt, not overall
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        url: str,
        *,
        response_type: None = ...,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        xml: msgspec.Struct | bytes | str | None = ...,
        body: msgspec.Struct | None = ...,
        root: str | None = ...,
        content: bytes | AsyncIterable[bytes] | aiohttp.FormData | None = ...,
        headers: Mapping[str, str] | None = ...,
        wire_format: WireFormat | None = ...,
        idempotent: bool | None = ...,
        family: str | None = ...,
        timeout: float | None = ...,  # noqa: ASYNC109 - per attempt, not overall
    ) -> Any: ...

    async def request(
        self,
        method: str,
        url: str,
        *,
        response_type: type[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        xml: msgspec.Struct | bytes | str | None = None,
        body: msgspec.Struct | None = None,
        root: str | None = None,
        content: bytes | AsyncIterable[bytes] | aiohttp.FormData | None = None,
        headers: Mapping[str, str] | None = None,
        wire_format: WireFormat | None = None,
        idempotent: bool | None = None,
        family: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per attempt, not overall
    ) -> Any:
        """Send one API call through the limits, auth and retries, and decode its answer.

        ``url`` is a path under the API base URL or a full URL on a trusted host. ``body`` is a
        struct encoded in the wire format (``root`` names the XML root element); ``json`` any
        JSON-able value; ``xml`` a struct sent as XML, or an XML document as text or bytes (the
        answer is then asked for in XML too); ``content`` raw bytes or a form. At most one of
        them. ``response_type`` is the struct to decode into, ``bytes`` for the raw body, or None
        for plain JSON values. ``idempotent`` overrides the method's own (False: never replayed
        by the client); ``timeout`` the per-attempt time limit in seconds.
        """
        if ((body is not None) + (json is not None) + (xml is not None)
                + (content is not None)) > 1:
            raise ValidationError("a request has one body: give body, json, xml or content")
        method = method.upper()
        fmt: WireFormat = wire_format or ("xml" if xml is not None else self.wire_format)
        send_headers = {"Accept": _MEDIA[fmt] if response_type is not bytes else "*/*"}
        data: Any = None
        if body is not None:
            data = _codec.encode(body, fmt, root=root)
            send_headers["Content-Type"] = _MEDIA[fmt]
        elif json is not None:
            data = _codec.encode(json, "json")
            send_headers["Content-Type"] = _MEDIA["json"]
        elif xml is not None:
            if isinstance(xml, msgspec.Struct):
                data = _codec.encode(xml, "xml", root=root)
            else:
                data = xml.encode() if isinstance(xml, str) else xml
            send_headers["Content-Type"] = _MEDIA["xml"]
        elif content is not None:
            data = content
        if headers:
            send_headers.update(headers)
        return await self._send(
            method,
            url,
            response_type,
            params=clean_params(params),
            data=data,
            headers=send_headers,
            idempotent=method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
            family=family,
            timeout=timeout,
        )

    async def fetch_page(
        self,
        url: str,
        page_type: Any,
        *,
        params: Mapping[str, Any] | None = None,
        wire_format: WireFormat | None = None,
        family: str | None = None,
        peek: Peek | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per attempt, not overall
    ) -> Any:
        """GET one collection page, decoded into ``page_type``.

        ``peek`` sees the raw body first, so a paging style can start the next request while
        this page decodes.
        """
        fmt: WireFormat = wire_format or self.wire_format
        return await self._send(
            "GET",
            url,
            page_type,
            params=clean_params(params),
            data=None,
            headers={"Accept": _MEDIA[fmt]},
            idempotent=True,
            family=family,
            timeout=timeout,
            peek=peek,
        )

    async def _send(
        self,
        method: str,
        url: str,
        response_type: Any,
        *,
        params: dict[str, str] | None,
        data: Any,
        headers: dict[str, str],
        idempotent: bool,
        family: str | None,
        timeout: float | None,  # noqa: ASYNC109 - per attempt, not overall
        peek: Peek | None = None,
    ) -> Any:
        session = self._session
        if session is None or self._owner is not None:
            session = self.session  # a view's is its owner's; a closed client's is refused
        if not url.startswith("/"):
            # A foreign host is refused before anything, even a token, is sent. (A path is
            # resolved against the API base, which is never foreign.)
            self.resolve(url)
        # A stream or a multipart form is consumed by the first attempt and cannot be resent,
        # unless it says it can (a file, read afresh).
        replayable = (data is None or not isinstance(data, AsyncIterable | aiohttp.FormData)
                      or getattr(data, "replayable", False))
        limits = self._timeout if timeout is None else aiohttp.ClientTimeout(
            total=timeout, connect=self._timeout.connect
        )
        policy = self.retry
        started = time.monotonic()
        attempt = 0
        reauthenticated = False
        while True:
            attempt += 1
            token = self._auth.usable() or await self._auth.get(session)
            self.stats.token_refreshes = self._auth.refresh_count
            # Resolved per attempt: the first token, or a refresh, may name a new geolocation.
            target = self._target(url, token)
            error: ConcurError
            try:
                await self.limiter.acquire(family)
                try:
                    if not token.fresh(time.monotonic()):
                        # Expired or refused (a 401 elsewhere) while this call queued for a
                        # slot: take the refreshed token rather than spend a round trip on
                        # a certain 401.
                        token = await self._auth.get(session)
                        target = self._target(url, token)
                    self.stats.requests += 1
                    answer = await self._attempt(
                        session, method, target, params, data, headers, token, attempt,
                        family, limits,
                    )
                finally:
                    self.limiter.release()
                if answer.status < 300:
                    if peek is not None:
                        await peek(answer.body)
                    return decode_answer(answer, response_type, method=method,
                                         secrets=self._auth.secrets)
                status = answer.status
                retry_after: float | None = None
                if status == 429:
                    self.stats.rate_limited += 1
                    retry_after = parse_retry_after(answer.headers.get("Retry-After"))
                    # The whole client waits (Concur throttles the company), never past the
                    # policy's cap: an absurd Retry-After must not stall every other call.
                    await self.limiter.pause(policy.rate_limit_wait(retry_after))
                error = api_error(status, answer.body, answer.headers, method, answer.url,
                                  hide=self._auth.secrets.values(), retry_after=retry_after)
                if status in (401, 403) and not reauthenticated and self._auth.refreshable:
                    # One refresh and one retry (Concur answers 403 for an expired or revoked
                    # token too); a second refusal is a real one.
                    self._auth.invalidate(token.access_token)
                    if replayable:
                        reauthenticated = True
                        if log.isEnabledFor(logging.DEBUG):
                            log.debug("%s on %s %s; refreshing the token once",
                                      status, method, redact_url(url))
                        continue
            except (TransportError, MalformedAnswerError, APIStatusError) as exc:
                error = exc
            delay = policy.decide(error, attempt=attempt, elapsed=time.monotonic() - started,
                                  idempotent=idempotent, replayable=replayable)
            if delay is None:
                if isinstance(error, TransportError):
                    error.attempts = attempt
                try:
                    raise error
                finally:
                    # The traceback holds this frame: without this the error would hold
                    # itself (and the answer's buffers) until the cycle collector runs.
                    del error
            self.stats.retries += 1
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "retrying %s %s after %s (attempt %d of %d, waiting %.2fs)",
                    method, redact_url(url), describe(error), attempt + 1, policy.max_attempts,
                    delay,
                )
            await anyio.sleep(delay)

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        params: dict[str, str] | None,
        data: Any,
        headers: dict[str, str],
        token: Token,
        attempt: int,
        family: str | None,
        limits: aiohttp.ClientTimeout,
    ) -> Answer:
        """One attempt: the exchange, its debug log line, and the event hooks around it."""
        event: RequestEvent | None = None
        if self._hooked:
            event = RequestEvent(method, redact_url(url), attempt, family, dict(headers))
            await self._hooks.request(event)
            headers = event.headers
        sent = time.monotonic()
        try:
            answer = await exchange(
                session, method, url, params=params, data=data, headers=headers,
                access_token=token.access_secret, trusts=self.trusts,
                max_bytes=self.max_response_bytes, limits=limits,
            )
        except (TransportError, APIStatusError) as exc:
            elapsed = time.monotonic() - sent
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "%s %s failed: %s (attempt %d, %.3fs)",
                    method, redact_url(url), describe(exc), attempt, elapsed,
                )
            if event is not None:
                # An APIStatusError here was answered, but with a body over the size cap.
                answered = exc if isinstance(exc, APIStatusError) else None
                await self._hooks.response(ResponseEvent(
                    event, answered.status if answered else None, elapsed,
                    correlation_id=answered.correlation_id if answered else None, error=exc,
                ))
            raise
        debug = log.isEnabledFor(logging.DEBUG)
        if event is None and not debug:
            return answer  # what follows only feeds the debug log and the hooks
        elapsed = time.monotonic() - sent
        correlation_id = answer.headers.get("concur-correlationid")
        if correlation_id is not None:
            correlation_id = self._auth.secrets.scrub(correlation_id)
        if debug:
            log.debug(
                "%s %s -> %s (attempt %d, %.3fs, correlation id %s)",
                method, redact_url(answer.url), answer.status, attempt, elapsed,
                correlation_id or "-",
            )
        if event is not None:
            await self._hooks.response(ResponseEvent(
                event, answer.status, elapsed, correlation_id=correlation_id,
                headers=answer.headers,
            ))
        return answer
