"""Chaos runs against LocalConcur, shared by the chaos tests and ``benchmarks/chaos_bench.py``.

A run starts a ``LocalConcur`` whose every API route misbehaves on a share of requests (429
with a short ``Retry-After``, 500/502/503, the connection cut mid-body, a 200 whose body is cut
in half, latency spikes, and for syncs a 429 whose ``Retry-After`` is absurd) and
whose access tokens live ``token_lifetime`` seconds, while a background task also expires every
issued token each ``expire_every`` seconds (so some calls meet a 401 and refresh). The token
endpoint has faults of its own (5xx, answers cut off after the refresh token was rotated, a
slow answer), the client signs in with a password grant (so refresh tokens rotate), and after
every other forced expiry a few callers are cancelled while they wait on the refresh. It returns
``Figures``: what was streamed or synced, the faults served by kind, the client's retries, and
the records lost or duplicated, which a run must keep at zero. Nothing here asserts: the tests
and the benchmark decide what they require.

``CONCUR_CHAOS_SCALE`` (default 0.1) scales the tests' sizes; the benchmark runs at 1.0
(50,000 vendors streamed, 20,000 synced).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from concur_async import ConcurClient, PasswordGrant, RetryPolicy
from concur_async.testing import SEED_ADDRESS_CODE, LocalConcur, seed_code, seeded_vendor
from concur_async.testing._faults import FaultKind, FaultRule

__all__ = [
    "ABSURD_RETRY_AFTER",
    "FULL_STREAM",
    "FULL_SYNC",
    "Figures",
    "Profile",
    "SYNC_PROFILE",
    "SyncPlan",
    "scale",
    "scaled",
    "stream_vendors",
    "sync_vendors_under_faults",
]

#: The grant of every chaos client: a password grant, so each refresh rotates a refresh token.
CHAOS_USER = ("chaos@example.com", "pw-chaos")
TOKEN_PREFIX = "/oauth2"
#: Seconds a token must have been in use before a forced expiry may strike it.
YOUNG = 0.2

FULL_STREAM = 50_000
FULL_SYNC = 20_000
VENDORS = "invoice/vendors"
WRITES = ("POST", "PUT", "DELETE")

#: Retries sized for a hostile server: more attempts than the default, short waits.
CHAOS_RETRY = RetryPolicy(
    max_attempts=10, backoff_base=0.01, backoff_max=0.08, max_total_seconds=60.0,
    default_retry_after=0.05, max_retry_after=0.2,
)
#: What a misbehaving proxy sends: eleven days and a half.
ABSURD_RETRY_AFTER = 999_999.0


def scale() -> float:
    """The share of the full sizes to run, from ``CONCUR_CHAOS_SCALE`` (default 0.1)."""
    raw = os.environ.get("CONCUR_CHAOS_SCALE", "0.1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"CONCUR_CHAOS_SCALE must be a number, not {raw!r}") from None
    if not 0 < value <= 10:
        raise ValueError("CONCUR_CHAOS_SCALE must be in (0, 10]")
    return value


def scaled(full: int, *, minimum: int = 200) -> int:
    return max(minimum, round(full * scale()))


@dataclass(frozen=True, slots=True)
class Profile:
    """How bad the server's day is: shares of requests per fault kind, and token churn."""

    rate_limit: float = 0.03
    server_error: float = 0.05
    drop: float = 0.03
    spike_rate: float = 0.03
    spike_ms: float = 80.0
    retry_after: float = 0.05
    #: 200s whose body is cut in half (retried like a cut connection on reads).
    malformed: float = 0.02
    #: Writes answered 429 with ``Retry-After: ABSURD_RETRY_AFTER``: the client raises at once
    #: (it must not hang), so only a sync's writes, whose rounds wait out the cap and try
    #: again, can take them; a stream, or the sync's read pass, would end with the error.
    absurd_retry_after: float = 0.0
    latency_ms: float = 1.0
    token_lifetime: float = 1.5
    #: Seconds between forced expiries of every token issued (None: only the lifetime).
    expire_every: float | None = 2.5
    #: Requests the server must have answered before the first forced expiry: ties the first
    #: one to the run's progress rather than the clock, so a fast run cannot end before it.
    expire_after_requests: int = 0
    #: Shares of token requests answered 500/502/503, and served then cut off (the refresh
    #: token rotated, the answer lost); the token endpoint's latency (ms).
    token_server_error: float = 0.2
    token_drop: float = 0.1
    token_latency_ms: float = 20.0
    #: Callers cancelled while they wait on the refresh, after every other forced expiry.
    cancelled_callers: int = 3
    #: After each forced expiry, the next token requests answered 503 (this many), then cut
    #: off after being served (this many): every refresh of the run meets them, whatever the
    #: shares above happen to draw.
    token_503_burst: int = 0
    token_drop_burst: int = 0
    #: Fault kinds each served once on the first writes, whatever the shares draw: a share of
    #: 2 % can draw nothing in a run of a few hundred requests, and a write whose answer is
    #: cut off is the case exactly-once exists for.
    first_writes: tuple[FaultKind, ...] = ()

    def apply(
        self, concur: LocalConcur, seed: int, *, methods: tuple[str, ...] = ()
    ) -> FaultRule | None:
        """Set the faults; returns the absurd Retry-After rule, if any, to count its hits."""
        concur.faults.set(
            rate_limit=self.rate_limit, server_error=self.server_error, drop=self.drop,
            malformed=self.malformed, spike_ms=self.spike_ms, spike_rate=self.spike_rate,
            retry_after=self.retry_after, seed=seed,
        )
        if methods:  # keep the rules to these methods (e.g. drops on reads only)
            for rule in concur.faults.rules:
                rule.methods = frozenset(methods)
        faults = concur.faults
        if self.token_latency_ms:
            faults.add("latency", ms=self.token_latency_ms, prefix=TOKEN_PREFIX)
        if self.token_server_error:
            faults.add("server_error", rate=self.token_server_error, prefix=TOKEN_PREFIX)
        if self.token_drop:
            faults.add("drop", rate=self.token_drop, prefix=TOKEN_PREFIX)
        for kind in self.first_writes:
            faults.add(kind, count=1, methods=WRITES)
        if not self.absurd_retry_after:
            return None
        return concur.faults.add("rate_limit", rate=self.absurd_retry_after,
                                 retry_after=ABSURD_RETRY_AFTER, methods=WRITES)


DEFAULT_PROFILE = Profile()
#: A sync meets the absurd Retry-After as well.
SYNC_PROFILE = Profile(absurd_retry_after=0.01)


@dataclass(slots=True)
class Figures:
    """What one chaos run did, for a test to check and the benchmark to print."""

    name: str
    records: int = 0
    seconds: float = 0.0
    faults: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    client_requests: int = 0
    server_requests: int = 0
    token_requests: int = 0
    forced_expiries: int = 0
    unauthorized: int = 0
    lost: int = 0
    duplicated: int = 0
    in_order: bool | None = None  # streams only: items came in server order
    server_errors: int = 0
    #: Faults the token endpoint served, by kind; callers cancelled while a refresh ran.
    token_faults: dict[str, int] = field(default_factory=dict)
    cancelled_in_refresh: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        faults = ", ".join(f"{k}={v}" for k, v in sorted(self.faults.items())) or "none"
        extra = "".join(f"\n  {k}: {v}" for k, v in self.extra.items())
        return (
            f"{self.name}: {self.records:,} records in {self.seconds:.2f}s "
            f"({self.records / max(self.seconds, 1e-9):,.0f}/s)\n"
            f"  faults served: {faults} (total {sum(self.faults.values())})\n"
            f"  retries: {self.retries}; client requests: {self.client_requests}; "
            f"server requests: {self.server_requests}\n"
            f"  token requests: {self.token_requests}; forced expiries: "
            f"{self.forced_expiries}; 401s answered: {self.unauthorized}\n"
            f"  token endpoint faults: {self.token_faults or 'none'}; callers cancelled while "
            f"a refresh ran: {self.cancelled_in_refresh}\n"
            f"  lost: {self.lost}; duplicated: {self.duplicated}"
            f"{'' if self.in_order is None else f'; in order: {self.in_order}'}{extra}"
        )


@asynccontextmanager
async def _token_churn(
    concur: LocalConcur, client: ConcurClient, profile: Profile
) -> AsyncIterator[list[int]]:
    """Expire every token issued each ``expire_every`` seconds while the block runs, and every
    other time cancel ``cancelled_callers`` callers while they wait on the refresh that follows.

    Yields ``[expiries, callers cancelled while a refresh ran]``.
    """
    count = [0, 0]
    if profile.expire_every is None:
        yield count
        return

    async def impatient() -> None:
        # A call that gives up (a web request whose client went away) a few ms in: while the
        # token request is still on its way, given the token endpoint's latency.
        try:
            async with asyncio.timeout(0.005):
                await client.invoice.vendors.list(page_size=1).first_page()
        except TimeoutError:
            if client.token_manager.refreshing:
                count[1] += 1

    bursts: list[FaultRule] = []

    # The token last seen, and when: its age, roughly (the churn looks at each tick).
    seen: list[Any] = [client.token_manager.token, time.monotonic()]

    async def young_token() -> None:
        # Never a token a refresh has just issued, before the calls that waited on it could
        # use it: Concur does not refuse a brand-new token, and a call refused again right
        # after its one refresh rightly gives up.
        while True:
            if client.token_manager.token is not seen[0]:
                seen[:] = [client.token_manager.token, time.monotonic()]
            if not client.token_manager.refreshing and time.monotonic() - seen[1] >= YOUNG:
                return
            await asyncio.sleep(0.01)

    async def churn() -> None:
        first = profile.expire_after_requests > 0
        while True:
            if first:
                while concur.stats.total < profile.expire_after_requests:
                    await asyncio.sleep(0.001)
                first = False
            else:
                await asyncio.sleep(profile.expire_every)
            await young_token()
            concur.tokens.expire_access_tokens()
            count[0] += 1
            spent = all(rule.count is None or rule.fired >= rule.count for rule in bursts)
            if spent and not client.token_manager.refreshing:
                # One burst per refresh: they never pile up past the retry budget.
                bursts[:] = [
                    concur.faults.add(kind, count=n, status=503, prefix=TOKEN_PREFIX)
                    for kind, n in (("server_error", profile.token_503_burst),
                                    ("drop", profile.token_drop_burst)) if n
                ]
            token = client.token_manager.token
            # Every other expiry only: after the others, the calls meet the 401 themselves.
            if token is not None and profile.cancelled_callers and count[0] % 2 == 0:
                client.token_manager.invalidate(token.access_token)  # as a 401 does
                await asyncio.gather(*(impatient() for _ in range(profile.cancelled_callers)),
                                     return_exceptions=True)

    task = asyncio.create_task(churn())
    try:
        yield count
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _client(concur: LocalConcur, **options: Any) -> ConcurClient:
    return concur.client(auth=PasswordGrant("local", "local", *CHAOS_USER), retry=CHAOS_RETRY,
                         **options)


def _fill(figures: Figures, concur: LocalConcur, client: ConcurClient, churn: list[int]) -> None:
    expiries, figures.cancelled_in_refresh = churn
    api_faults: Counter[str] = Counter()
    token_faults: Counter[str] = Counter()
    for (kind, route), n in concur.faults.served_by_route.items():
        if TOKEN_PREFIX not in route:
            api_faults[kind] += n
        elif kind != "latency":
            token_faults[kind] += n
    figures.faults = dict(api_faults)
    figures.token_faults = dict(token_faults)
    figures.retries = client.stats.retries
    figures.client_requests = client.stats.requests
    figures.server_requests = concur.stats.total
    figures.token_requests = concur.stats.token_requests
    figures.forced_expiries = expiries
    figures.unauthorized = concur.stats.statuses[401]
    figures.server_errors = len(concur.errors)


async def stream_vendors(
    count: int,
    *,
    page_size: int = 100,
    wire_format: str = "json",
    seed: int = 7,
    profile: Profile = DEFAULT_PROFILE,
) -> Figures:
    """Stream ``count`` seeded vendors through the faults; count the lost and duplicated."""
    figures = Figures(f"stream {wire_format}")
    async with LocalConcur(vendors=count, token_lifetime=profile.token_lifetime, seed=seed,
                           latency_ms=profile.latency_ms, users=dict([CHAOS_USER])) as concur:
        profile.apply(concur, seed)
        async with _client(concur, wire_format=wire_format) as client, \
                _token_churn(concur, client, profile) as churn:
            started = time.perf_counter()
            codes = [v.vendor_code async for v in client.invoice.vendors.list(
                page_size=page_size)]
            figures.seconds = time.perf_counter() - started
        _fill(figures, concur, client, churn)
    expected = [seed_code(i) for i in range(count)]
    seen = Counter(codes)
    figures.records = len(codes)
    figures.lost = sum(1 for code in expected if code not in seen)
    figures.duplicated = sum(n - 1 for n in seen.values() if n > 1)
    figures.in_order = codes == expected
    return figures


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """A vendor sync of ``size`` desired records against a seeded server.

    Of the desired records, half are seeded vendors unchanged, a quarter seeded vendors with a
    new name and city, a quarter new vendors; the server also holds ``size // 8`` seeded
    vendors the desired state lacks (deleted with ``delete_missing``).
    """

    size: int

    @property
    def unchanged(self) -> int:
        return self.size // 2

    @property
    def updated(self) -> int:
        return self.size // 4

    @property
    def created(self) -> int:
        return self.size - self.unchanged - self.updated

    @property
    def deleted(self) -> int:
        return self.size // 8

    @property
    def seeded(self) -> int:
        return self.unchanged + self.updated + self.deleted

    def desired(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(self.unchanged):
            out.append(_wire_vendor(seeded_vendor(i)))
        for i in range(self.unchanged, self.unchanged + self.updated):
            vendor = _wire_vendor(seeded_vendor(i))
            vendor["VendorName"] = f"Renamed {i:07d}"
            vendor["City"] = "Minneapolis"
            out.append(vendor)
        for n in range(self.created):
            out.append({
                "VendorCode": f"N{n:07d}", "AddressCode": SEED_ADDRESS_CODE,
                "VendorName": f"New vendor {n:07d}", "CountryCode": "US",
                "CurrencyCode": "USD", "City": "Duluth", "PaymentTerms": "30",
            })
        return out


def _wire_vendor(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "ID"}


#: The fields a sync sets and the comparison of server and desired state covers.
COMPARED = ("VendorName", "City", "CountryCode", "CurrencyCode")


def state_difference(concur: LocalConcur, desired: list[dict[str, Any]]) -> list[str]:
    """Where the server's vendors differ from the desired ones (empty when they agree)."""
    want = {(d["VendorCode"], d["AddressCode"]): d for d in desired}
    have = {(r["VendorCode"], r["AddressCode"]): r for r in concur.state.vendors}
    problems = [f"missing {k}" for k in want.keys() - have.keys()]
    problems += [f"not deleted {k}" for k in have.keys() - want.keys()]
    for key in want.keys() & have.keys():
        for name in COMPARED:
            if str(want[key].get(name) or "") != str(have[key].get(name) or ""):
                problems.append(f"{key} {name}: {have[key].get(name)!r} != "
                                f"{want[key].get(name)!r}")
    return sorted(problems)


def write_counts(concur: LocalConcur) -> dict[str, Counter[Hashable]]:
    log = concur.state.write_log
    return {op: log.keys(op, VENDORS) for op in ("create", "update", "delete")}


async def sync_vendors_under_faults(
    size: int,
    *,
    seed: int = 11,
    profile: Profile = SYNC_PROFILE,
    batch_size: int = 100,
    concurrency: int = 8,
    on_client: Callable[[ConcurClient], None] | None = None,
) -> tuple[Figures, Any, list[str], dict[str, Counter[Hashable]]]:
    """Run ``sync_vendors`` on ``SyncPlan(size)`` through the faults.

    Returns the figures, the ``SyncReport``, the differences between the server's final state
    and the desired one, and the server's write log as key counts per operation.
    """
    from concur_async.bulk import sync_vendors

    plan = SyncPlan(size)
    desired = plan.desired()
    figures = Figures("sync vendors")
    async with LocalConcur(vendors=plan.seeded, token_lifetime=profile.token_lifetime,
                           seed=seed, latency_ms=profile.latency_ms,
                           users=dict([CHAOS_USER])) as concur:
        absurd = profile.apply(concur, seed)
        async with _client(concur) as client, \
                _token_churn(concur, client, profile) as churn:
            if on_client is not None:
                on_client(client)
            started = time.perf_counter()
            report = await sync_vendors(client, desired, delete_missing=True,
                                        batch_size=batch_size, concurrency=concurrency)
            figures.seconds = time.perf_counter() - started
        _fill(figures, concur, client, churn)
        concur.faults.clear()
        served_by_route = dict(concur.faults.served_by_route)
        difference = state_difference(concur, desired)
        writes = write_counts(concur)
    figures.records = len(desired)
    # Lost: a desired change the server does not show. Duplicated: a write the server
    # confirmed twice (a batch re-sent after its answer was cut off, say).
    figures.lost = len(difference)
    figures.duplicated = sum(n - 1 for counts in writes.values() for n in counts.values()
                             if n > 1)
    figures.extra = {
        "report": (f"created={report.created} updated={report.updated} "
                   f"deleted={report.deleted} unchanged={report.unchanged} "
                   f"failed={report.failed}"),
        "server write log": ", ".join(f"{op}={sum(c.values())}" for op, c in writes.items()),
        "absurd Retry-After answered (raised at once, waited out to the cap by the sync)":
            0 if absurd is None else absurd.fired,
        "answers cut off, by route": dict(sorted(
            (route, n) for (kind, route), n in served_by_route.items() if kind == "drop")),
    }
    return figures, report, difference, writes
