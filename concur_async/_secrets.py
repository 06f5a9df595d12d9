"""Secrets held so that no repr, str or captured traceback frame shows them.

Error trackers (Sentry, ``traceback.TracebackException(capture_locals=True)``) print the repr of
every local variable of every frame. A client secret, password or token held as a plain ``str``
in a grant, a token or a request form would be printed with them. ``Secret`` holds the value
behind a masked repr and str (as pydantic's ``SecretStr`` does; pydantic is not a dependency of
the SDK and the type is a few lines), and gives it up only through ``get_secret_value()``.

``SecretRegistry`` is the set of live secret values of one token manager: every value a server
might echo back (in an error body, a ``concur-correlationid`` header, a log line) is scrubbed
with it. ``live_secret_values()`` unions the registries of every live manager of the process,
for code that writes text without knowing which client it came from (log filters).
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable, Iterator

__all__ = [
    "MASK", "MaskedHeaders", "Secret", "SecretRegistry", "live_secret_values", "reveal",
]

MASK = "***"
#: Values shorter than this are not scrubbed process-wide: blanking every "local" or "pw" in
#: every log line would destroy the text, and real Concur secrets are long. A manager's own
#: errors still hide them (``SecretRegistry.values(short=True)``).
MIN_PROCESS_WIDE = 8


class Secret:
    """A secret string: ``repr`` and ``str`` show ``***``; ``get_secret_value()`` the value."""

    __slots__ = ("__weakref__", "_value")
    _value: str

    def __init__(self, value: str | Secret) -> None:
        self._value = value.get_secret_value() if isinstance(value, Secret) else str(value)

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        # Pickled for a process pool it stays a Secret on the other side.
        return Secret, (self._value,)


class MaskedHeaders(dict[str, str]):
    """Request headers whose repr masks ``Authorization``: the dict handed to aiohttp sits in
    a frame's locals, and the header holds the token."""

    def __repr__(self) -> str:
        shown = {k: MASK if k.lower() == "authorization" else v for k, v in self.items()}
        return f"MaskedHeaders({shown!r})"


def reveal(value: Secret | str | None) -> str | None:
    """The plain value of a secret (or of a string given as is); None stays None."""
    if value is None:
        return None
    return value.get_secret_value() if isinstance(value, Secret) else value


_registries: weakref.WeakSet[SecretRegistry] = weakref.WeakSet()


class SecretRegistry:
    """The secret values one token manager has held: credentials, and the recent tokens.

    Tokens are kept after they are replaced (``keep`` of them), because a server or a proxy may
    echo a token the client sent a minute ago.
    """

    def __init__(self, secrets: Iterable[Secret | str | None] = (), *, keep: int = 8) -> None:
        self._fixed: list[str] = []
        self._recent: deque[str] = deque(maxlen=keep)
        for secret in secrets:
            value = reveal(secret)
            if value and value not in self._fixed:
                self._fixed.append(value)
        _registries.add(self)

    def __repr__(self) -> str:
        return f"SecretRegistry({len(self._fixed) + len(self._recent)} values)"

    def add(self, secret: Secret | str | None) -> None:
        """Remember a token just issued (the oldest remembered one is forgotten past ``keep``)."""
        value = reveal(secret)
        if value and value not in self._fixed and value not in self._recent:
            self._recent.append(value)

    def values(self, *, short: bool = True) -> tuple[str, ...]:
        """Every value, longest first (so a secret containing another is blanked whole);
        without the values under ``MIN_PROCESS_WIDE`` characters when ``short`` is false."""
        every = (*self._fixed, *self._recent)
        kept = every if short else tuple(v for v in every if len(v) >= MIN_PROCESS_WIDE)
        return tuple(sorted(kept, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """``text`` with every secret value in it replaced by ``***``."""
        for value in self.values():
            text = text.replace(value, MASK)
        return text


def live_secret_values() -> Iterator[str]:
    """The secret values (of ``MIN_PROCESS_WIDE`` characters or more) of every live token
    manager of this process, longest first: what a log filter blanks in every line."""
    values = {v for registry in list(_registries) for v in registry.values(short=False)}
    return iter(sorted(values, key=len, reverse=True))
