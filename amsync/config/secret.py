"""A wrapper that keeps a secret out of reprs, logs, tracebacks and error messages."""

from __future__ import annotations

from typing import Final

_MASK: Final = "***"


class Secret:
    """Holds a token or key. ``str()``/``repr()`` show ``***``; ``reveal()`` gives the value.

    Only the code that puts the value on the wire (an HTTP header, a JWT signer) or into the
    0600 credentials file calls ``reveal()``.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def fingerprint(self) -> str:
        """A short, non-reversible tag to tell two secrets apart in diagnostics."""
        import hashlib

        return hashlib.sha256(self._value.encode()).hexdigest()[:8]

    def __repr__(self) -> str:
        return f"Secret({_MASK})"

    def __str__(self) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> str | tuple[object, ...]:  # never pickled by accident
        raise TypeError("a Secret cannot be pickled")
