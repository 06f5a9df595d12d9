"""Request and response hooks: one call before and one after every HTTP attempt.

``ConcurClient(event_hooks={"request": [...], "response": [...]})`` runs each async hook with
a ``RequestEvent`` just before an attempt is sent and with a ``ResponseEvent`` once it was
answered or failed in transport; a retried call fires them once per attempt. They are the place
for metrics and tracing spans::

    async def start_span(event: RequestEvent) -> None:
        span = tracer.start_span(f"concur {event.method}")
        event.context["span"] = span
        event.headers["traceparent"] = ...          # sent with this attempt

    async def end_span(event: ResponseEvent) -> None:
        span = event.request.context.pop("span")
        span.set_attribute("http.status_code", event.status or 0)
        span.end()

URLs are redacted (no query values that may identify people); ``headers`` never hold the
``Authorization`` header, which is added after the hooks ran. An exception a hook raises
fails the call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from ._errors import ConfigurationError

__all__ = ["EventHooks", "RequestEvent", "RequestHook", "ResponseEvent", "ResponseHook"]


@dataclass(slots=True)
class RequestEvent:
    """One attempt about to be sent."""

    method: str
    url: str
    attempt: int
    family: str | None
    #: The attempt's request headers: a hook may add some (a trace context, say).
    headers: dict[str, str]
    #: Free for hooks: whatever the request hook leaves here the response hook finds again.
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResponseEvent:
    """One attempt done: answered (``status``) or failed in transport (``status`` None)."""

    request: RequestEvent
    status: int | None
    #: Seconds from sending this attempt to reading its whole answer.
    elapsed: float
    #: Concur's ``concur-correlationid`` answer header: quote it to Concur support.
    correlation_id: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    #: Why the attempt has no usable answer: a ``TransportError``, or a body over the size cap.
    error: Exception | None = None


RequestHook = Callable[[RequestEvent], Awaitable[None]]
ResponseHook = Callable[[ResponseEvent], Awaitable[None]]


class EventHooks(TypedDict, total=False):
    """What ``ConcurClient(event_hooks=...)`` takes."""

    request: Sequence[RequestHook]
    response: Sequence[ResponseHook]


class Hooks:
    """The hooks of one client, run in the order given."""

    __slots__ = ("on_request", "on_response")

    def __init__(self, hooks: EventHooks | None) -> None:
        hooks = hooks or {}
        unknown = set(hooks) - {"request", "response"}
        if unknown:
            raise ConfigurationError(
                f"event_hooks takes 'request' and 'response', not {sorted(unknown)}"
            )
        self.on_request: tuple[RequestHook, ...] = tuple(hooks.get("request", ()))
        self.on_response: tuple[ResponseHook, ...] = tuple(hooks.get("response", ()))

    def __bool__(self) -> bool:
        return bool(self.on_request or self.on_response)

    async def request(self, event: RequestEvent) -> None:
        for hook in self.on_request:
            await hook(event)

    async def response(self, event: ResponseEvent) -> None:
        for hook in self.on_response:
            await hook(event)
