"""``keras.constraints``: projections applied to a weight after each update."""

from __future__ import annotations

from typing import Any

from ._engine import current_engine

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "get",
    "serialize",
]

#: Keras's ``backend.epsilon()``.
EPSILON = 1e-7


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weight."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)


def _norms(w: Any, axis: Any) -> Any:
    b = current_engine().b
    axis = tuple(axis) if isinstance(axis, list) else axis
    return b.sqrt(b.sum(b.square(w), axis, True))


class MaxNorm(Constraint):
    """Scale each slice along ``axis`` down to an L2 norm of at most ``max_value``."""

    def __init__(self, max_value: float = 2.0, axis: Any = 0) -> None:
        self.max_value, self.axis = float(max_value), axis

    def __call__(self, w: Any) -> Any:
        e = current_engine()
        b = e.b
        norms = _norms(w, self.axis)
        desired = b.clip(norms, 0.0, self.max_value)
        dtype = b.dtype(w)
        return b.multiply(w, b.divide(desired, b.add(e.const(EPSILON, dtype), norms)))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative entries to zero."""

    def __call__(self, w: Any) -> Any:
        e = current_engine()
        b = e.b
        dtype = b.dtype(w)
        return b.multiply(w, b.cast(b.greater_equal(w, e.const(0.0, dtype)), dtype))


class UnitNorm(Constraint):
    """Scale each slice along ``axis`` to unit L2 norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        e = current_engine()
        b = e.b
        norms = _norms(w, self.axis)
        return b.divide(w, b.add(e.const(EPSILON, b.dtype(w)), norms))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's norm towards ``[min_value, max_value]`` at ``rate``."""

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: Any = 0,
    ) -> None:
        self.min_value, self.max_value = float(min_value), float(max_value)
        self.rate, self.axis = float(rate), axis

    def __call__(self, w: Any) -> Any:
        e = current_engine()
        b = e.b
        dtype = b.dtype(w)
        norms = _norms(w, self.axis)
        clipped = b.clip(norms, self.min_value, self.max_value)
        desired = b.add(e.scale(clipped, self.rate), e.scale(norms, 1.0 - self.rate))
        return b.multiply(w, b.divide(desired, b.add(e.const(EPSILON, dtype), norms)))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


ALL: dict[str, type[Constraint]] = {
    "max_norm": MaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}
_CLASSES = {cls.__name__: cls for cls in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def get(identifier: Any) -> Any:
    """None, a name (``"max_norm"``), a config dict, or a callable."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        cls = ALL.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(
                f"Could not interpret constraint identifier: {identifier!r}. "
                f"Expected one of {sorted(ALL)}."
            )
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        cls = _CLASSES.get(identifier["class_name"]) or ALL.get(
            identifier["class_name"]
        )
        if cls is None:
            raise ValueError(f"Unknown constraint: {identifier['class_name']!r}")
        return cls.from_config(dict(identifier.get("config") or {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")


def serialize(constraint: Any) -> Any:
    """A JSON-safe description of a built-in constraint (None stays None)."""
    if constraint is None:
        return None
    if isinstance(constraint, Constraint):
        return {
            "class_name": type(constraint).__name__,
            "config": constraint.get_config(),
        }
    return getattr(constraint, "__name__", None)
