"""Weight regularizers: penalties added to the training loss (Keras 3 definitions)."""

from __future__ import annotations

import math
from typing import Any

from ._engine import current_engine

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2", "serialize"]


def _check(value: Any, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a non-negative "
            f"float. Received: {name}={value!r}"
        )
    return float(value)


class Regularizer:
    """Base class: ``regularizer(weight)`` returns a scalar penalty tensor."""

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)


class L1(Regularizer):
    """``l1 * sum(|x|)``; defaults to ``l1=0.01``."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _check(0.01 if l1 is None else l1, "l1")

    def __call__(self, x: Any) -> Any:
        e = current_engine()
        return e.b.multiply(e.const(self.l1, e.b.dtype(x)), e.b.sum(e.b.abs(x)))

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``; defaults to ``l2=0.01``."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check(0.01 if l2 is None else l2, "l2")

    def __call__(self, x: Any) -> Any:
        e = current_engine()
        return e.b.multiply(e.const(self.l2, e.b.dtype(x)), e.b.sum(e.b.square(x)))

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``; both default to 0 (as in Keras)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check(l1, "l1")
        self.l2 = _check(l2, "l2")

    def __call__(self, x: Any) -> Any:
        e = current_engine()
        dtype = e.b.dtype(x)
        total = e.const(0.0, dtype)
        if self.l1:
            total = e.b.add(
                total, e.b.multiply(e.const(self.l1, dtype), e.b.sum(e.b.abs(x)))
            )
        if self.l2:
            total = e.b.add(
                total, e.b.multiply(e.const(self.l2, dtype), e.b.sum(e.b.square(x)))
            )
        return total

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
ALL = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier: Any) -> Regularizer | None:
    """Resolve None, a name (``"l2"``), a config dict or a regularizer/callable."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        cls = ALL.get(identifier) or ALL.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Unknown regularizer: {identifier!r}. Expected one of 'l1', 'l2', "
                "'l1_l2'."
            )
        return cls()
    if isinstance(identifier, dict):
        cls = ALL.get(identifier.get("class_name", ""))
        if cls is None:
            raise ValueError(
                f"Unknown regularizer class in config: {identifier.get('class_name')!r}"
            )
        return cls.from_config(dict(identifier.get("config") or {}))
    if callable(identifier):
        return identifier  # type: ignore[no-any-return]
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")


def serialize(reg: Any) -> dict[str, Any] | None:
    """Config dict of a built-in regularizer (None stays None)."""
    if reg is None:
        return None
    return {"class_name": type(reg).__name__, "config": reg.get_config()}
