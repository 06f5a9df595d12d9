"""Many processes, one Concur identity: its token, rotation and rate budget shared through Redis.

Install with ``pip install 'concur-async[redis]'``::

    from concur_async import ConcurClient
    from concur_async.redis import RedisCoordination

    coordination = RedisCoordination.from_url("redis://127.0.0.1:6379/0", namespace="acme")
    async with ConcurClient(auth=grant, coordination=coordination) as client:
        ...

Every process (a uvicorn worker, a job-queue worker, a pod) that names the same ``namespace``
(one Concur identity: a company or a user) shares, under keys ``concur:<namespace>:*``:

- **The token.** Access token, refresh token, expiries and geolocation live in Redis. A stored
  refresh token wins over the grant's, which may have been rotated away since the process
  started. One process refreshes at a time, under a lock with an expiry and a fencing token;
  the others poll for its answer and never send the old refresh token. The refresher writes
  Concur's answer to Redis before using it, and ``on_token_refresh`` fires in that process
  only: once per rotation across all of them.
- **The rate budget.** ``requests_per_second`` and the per-family limits are held by a GCRA
  (generic cell rate algorithm) in a Lua script, atomic on the Redis server and timed by its
  clock. A 429's ``Retry-After`` pauses every process of the namespace. ``max_concurrency``
  stays per process.

Redis failing is never papered over: ``open()`` fails with ``CoordinationError`` when Redis
cannot be reached, and a command that still fails after the retries allowed raises
``CoordinationError`` (a ``ConcurError``) instead of carrying on uncoordinated, which would
bring back the lockouts this module exists to prevent. See docs/many-processes.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import anyio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import FullJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ._auth import Token
from ._coordination import NamedLimit, Refresh
from ._errors import AuthenticationError, ConfigurationError, CoordinationError
from ._rates import bucket_shape
from ._retry import RetryPolicy

__all__ = ["RedisCoordination"]

log = logging.getLogger("concur_async.redis")

T = TypeVar("T")

# Holds the refresh lock: take it only when free, with a fence number above every earlier one.
_TAKE_LOCK = """
if redis.call('SET', KEYS[1], 'taking', 'NX', 'PX', ARGV[1]) then
  local fence = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], fence, 'PX', ARGV[1])
  return fence
end
return 0
"""

# Extends (ARGV[2] > 0) or releases (ARGV[2] = 0) the lock, only if it is still ours.
_KEEP_LOCK = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])
"""

# Stores a token unless one from a later fence is already there: a refresher whose lock ran
# out never overwrites what its successor wrote.
_STORE = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if stored > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'record', ARGV[2])
return 1
"""

# GCRA over several budgets at once. KEYS[1] is the pause; KEYS[2..] the budgets, each with an
# emission interval and a burst in ARGV. Answers {paused, wait in microseconds}. When not
# paused, the request is booked at the first instant every budget allows (now + wait), so
# it goes after that wait with no second round trip.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local resume = tonumber(redis.call('GET', KEYS[1]) or '0')
if resume > now then return {1, resume - now} end
local at = now
local tats = {}
for i = 2, #KEYS do
  local interval = tonumber(ARGV[2 * i - 3])
  local burst = tonumber(ARGV[2 * i - 2])
  local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or '0'), now)
  tats[i] = tat
  at = math.max(at, tat - interval * (burst - 1))
end
for i = 2, #KEYS do
  local interval = tonumber(ARGV[2 * i - 3])
  local tat = math.max(tats[i], at) + interval
  redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX',
             math.ceil((tat - now) / 1000) + 1000)
end
return {0, at - now}
"""

# Pauses the namespace until now + ARGV[1] microseconds, unless already paused longer.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local resume = now + tonumber(ARGV[1])
if resume > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.0f', resume), 'PX',
             math.ceil(tonumber(ARGV[1]) / 1000) + 1)
end
return 1
"""

_LOAD = "return redis.call('HGET', KEYS[1], 'record')"


class RedisCoordination:
    """The token, refresh lock, rate budget and pause of one Concur identity, in Redis.

    ``from_url`` builds it; or give a ``redis.asyncio.Redis`` of your own (then closing the
    coordination leaves it open). ``lock_timeout`` is how long a refresher that died holding
    the refresh lock keeps the others waiting (a live one extends it while it works).
    Shared by any number of clients of this process; the last one closing it closes it.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        namespace: str,
        lock_timeout: float = 15.0,
        poll_interval: float = 0.05,
        owns_redis: bool = False,
    ) -> None:
        if not namespace or any(c in namespace for c in " *?[]{}"):
            raise ConfigurationError("namespace must be a non-empty name without spaces, "
                                     "wildcards or braces")
        if lock_timeout < 0.1 or poll_interval <= 0:
            raise ConfigurationError("lock_timeout must be at least 0.1 s and poll_interval "
                                     "positive")
        self.namespace = namespace
        self._redis = redis
        self._owns_redis = owns_redis
        self._lock_ms = math.ceil(lock_timeout * 1000)
        self._poll = poll_interval
        key = f"concur:{namespace}"
        self._token_key, self._lock_key, self._fence_key, self._pause_key = (
            f"{key}:token", f"{key}:refresh-lock", f"{key}:fence", f"{key}:pause"
        )
        self._budget_prefix = f"{key}:budget:"
        kwargs = redis.connection_pool.connection_kwargs
        # Where, for errors: never the URL, which may carry a password.
        self._where = (f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
                       f"/{kwargs.get('db', 0)}") if "path" not in kwargs else str(kwargs["path"])
        self._take_lock = redis.register_script(_TAKE_LOCK)
        self._keep_lock = redis.register_script(_KEEP_LOCK)
        self._store = redis.register_script(_STORE)
        self._acquire = redis.register_script(_ACQUIRE)
        self._pause = redis.register_script(_PAUSE)
        self._load = redis.register_script(_LOAD)
        self._users = 0
        #: A rotated token Redis failed to take: stored by the next call that reaches Redis.
        self._unstored: tuple[int, Token] | None = None

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        namespace: str,
        lock_timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        timeout: float = 5.0,
    ) -> RedisCoordination:
        """A coordination on the Redis at ``url`` (``redis://``, ``rediss://`` or ``unix://``).

        Commands that fail to connect or time out (``timeout`` seconds) are retried by
        redis-py with ``retry``'s attempts and backoff, then raise ``CoordinationError``.
        """
        policy = retry or RetryPolicy()
        try:
            redis = Redis.from_url(
                url,
                decode_responses=True,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                retry=Retry(
                    FullJitterBackoff(cap=policy.backoff_max, base=policy.backoff_base),
                    policy.max_attempts - 1,
                ),
                retry_on_error=[RedisConnectionError, RedisTimeoutError],
            )
        except ValueError as exc:
            raise ConfigurationError(f"not a Redis URL: {type(exc).__name__}") from None
        return cls(redis, namespace=namespace, lock_timeout=lock_timeout, owns_redis=True)

    def __repr__(self) -> str:
        return f"RedisCoordination(namespace={self.namespace!r}, redis={self._where!r})"

    # -- lifecycle ----------------------------------------------------------------------

    async def open(self) -> None:
        await self._call("connect", self._redis.ping)
        self._users += 1

    async def aclose(self) -> None:
        self._users = max(self._users - 1, 0)
        if self._users == 0 and self._owns_redis:
            await self._redis.aclose()

    # -- the token ----------------------------------------------------------------------

    async def load(self) -> Token | None:
        raw = await self._call("read token", self._load, [self._token_key], [])
        if not raw:
            return None
        try:
            return Token.from_record(json.loads(raw))
        except (ValueError, KeyError, TypeError, AttributeError):
            # Written by another program or version: neither a token nor its absence, which
            # would start a refresh with a refresh token the shared one may have replaced.
            raise CoordinationError(
                f"the shared token at {self._token_key} on Redis {self._where} is unreadable; "
                "delete that key to start the namespace from the grant again"
            ) from None

    async def exchange(self, stale: Token | None, refresh: Refresh) -> Token:
        await self._store_unstored()
        wait = self._poll / 4
        while True:
            stored = await self.load()
            if _usable(stored, stale):
                assert stored is not None
                return stored
            fence = int(await self._call("lock", self._take_lock,
                                         [self._lock_key, self._fence_key], [self._lock_ms]))
            if fence:
                return await self._exchange_holding(fence, stale, refresh)
            # Another process is refreshing: its answer appears in the store.
            await anyio.sleep(wait)
            wait = min(wait * 2, self._poll)

    async def forget(self) -> None:
        await self._call("forget token", self._redis.delete, self._token_key)

    async def _exchange_holding(self, fence: int, stale: Token | None, refresh: Refresh) -> Token:
        keeper = asyncio.create_task(self._keep(fence))
        try:
            # Shielded: once the request is out, Concur may have rotated; the answer must be
            # stored whatever happens to the task that asked.
            with anyio.CancelScope(shield=True):
                token = await self._refresh_and_store(fence, stale, refresh)
            # Returned outside the scope: mypy takes a cancel scope for one that may swallow.
            return token  # noqa: RET504
        finally:
            keeper.cancel()
            with anyio.CancelScope(shield=True), contextlib.suppress(CoordinationError):
                await self._call("unlock", self._keep_lock, [self._lock_key], [fence, 0])

    async def _refresh_and_store(self, fence: int, stale: Token | None, refresh: Refresh) -> Token:
        # Re-read under the lock: the holder before us may have just written.
        stored = await self.load()
        if _usable(stored, stale):
            assert stored is not None
            return stored
        # The stored refresh token wins over this process's, and over the grant's.
        base = stored if stored is not None and stored.refresh_token else stale
        try:
            token = await refresh(base)
        except AuthenticationError:
            # Our lock may have lapsed while we waited on Concur, and a successor rotated past
            # the refresh token we sent: its token is the live one.
            latest = await self.load()
            if _usable(latest, stale) and latest is not None and (
                base is None or latest.refresh_token != base.refresh_token
            ):
                return latest
            raise
        # Written first, used after: a process that dies now has left the new refresh token
        # where the others find it.
        try:
            written = await self._write(fence, token)
        except CoordinationError:
            # Concur has spent the old refresh token: this process keeps using the new one
            # (the token manager holds it) and writes it as soon as Redis answers again.
            self._unstored = (fence, token)
            log.error("Redis did not take the rotated token of namespace %r; it is kept in "
                      "this process and stored on the next call that reaches Redis",
                      self.namespace)
            raise
        if not written:
            latest = await self.load()
            if latest is not None:
                log.warning("a later refresh of namespace %r was stored first; using it",
                            self.namespace)
                return latest
        return token

    async def _write(self, fence: int, token: Token) -> bool:
        """Store ``token`` unless a later fence's is there; whether it was stored."""
        written = await self._call("store", self._store, [self._token_key],
                                   [fence, json.dumps(token.to_record())])
        return bool(int(written))

    async def _store_unstored(self) -> None:
        if self._unstored is not None:
            fence, token = self._unstored
            await self._write(fence, token)
            self._unstored = None

    async def _keep(self, fence: int) -> None:
        """Extends the lock while its holder is alive; a killed holder's lapses."""
        while True:
            await anyio.sleep(self._lock_ms / 3000)
            try:
                kept = await self._call("keep lock", self._keep_lock, [self._lock_key],
                                        [fence, self._lock_ms])
            except CoordinationError:
                return  # the store that follows reports Redis's failure
            if not int(kept):
                return

    # -- the rate budget ----------------------------------------------------------------

    async def acquire(self, limits: Sequence[NamedLimit]) -> None:
        await self._store_unstored()
        keys = [self._pause_key, *(self._budget_prefix + name for name, _ in limits)]
        args: list[float] = []
        for _, limit in limits:
            burst, period = bucket_shape(limit)
            args += [period / burst * 1e6, burst]
        while True:
            paused, wait = await self._call("rate budget", self._acquire, keys, args)
            if int(wait) > 0:
                await anyio.sleep(int(wait) / 1e6)
            if not int(paused):
                return

    async def pause(self, seconds: float) -> None:
        micros = max(0, math.ceil(seconds * 1e6))
        if micros:
            await self._call("pause", self._pause, [self._pause_key], [micros])

    # -- Redis calls --------------------------------------------------------------------

    async def _call(self, what: str, command: Callable[..., Awaitable[T]], *args: Any) -> T:
        try:
            return await command(*args)
        except RedisError as exc:
            raise CoordinationError(
                f"Redis at {self._where} failed ({what}): {type(exc).__name__}: {exc}"
            ) from None


def _usable(stored: Token | None, stale: Token | None) -> bool:
    """A stored token may be taken if it is fresh and is not the one this process found
    stale (or a 401 refused)."""
    return (
        stored is not None
        and stored.fresh(time.monotonic())
        and (stale is None or stored.access_token != stale.access_token)
    )
