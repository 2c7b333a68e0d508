"""Activation functions (Keras 3 definitions) on the backend of the running layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._engine import current_engine

__all__ = [
    "elu",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "leaky_relu",
    "linear",
    "log_softmax",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]


def relu(
    x: Any,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> Any:
    """``max(x, 0)``; Keras 3's extended form with the optional arguments.

    ``x`` above ``threshold`` (0 below it), clipped at ``max_value``, with
    ``negative_slope * (x - threshold)`` below the threshold.
    """
    e = current_engine()
    b = e.b
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return b.relu(x)
    dtype = b.dtype(x)
    negative_part = None
    if negative_slope != 0.0:
        if max_value is None and threshold == 0.0:
            return leaky_relu(x, negative_slope)
        shifted = b.negative(x)
        if threshold != 0.0:
            shifted = b.add(shifted, e.const(threshold, dtype))
        negative_part = b.relu(shifted)
    clip_max = max_value is not None
    if threshold != 0.0:
        x = b.multiply(x, b.cast(b.greater(x, e.const(threshold, dtype)), dtype))
    elif max_value == 6:
        x = relu6(x)
        clip_max = False
    else:
        x = b.relu(x)
    if clip_max:
        x = b.clip(x, 0.0, float(max_value))  # type: ignore[arg-type]
    if negative_part is not None:
        x = b.subtract(x, e.scale(negative_part, negative_slope))
    return x


def relu6(x: Any) -> Any:
    """``min(max(x, 0), 6)``."""
    e = current_engine()
    return e.b.clip(x, 0.0, 6.0)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """``x`` if ``x > 0`` else ``negative_slope * x``."""
    e = current_engine()
    return e.b.where(
        e.b.greater(x, e.const(0.0, e.b.dtype(x))), x, e.scale(x, negative_slope)
    )


def sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))``."""
    return current_engine().b.sigmoid(x)


def hard_sigmoid(x: Any) -> Any:
    """``relu6(x + 3) / 6``."""
    e = current_engine()
    return e.scale(relu6(e.b.add(x, e.const(3.0, e.b.dtype(x)))), 1.0 / 6.0)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    return current_engine().b.tanh(x)


def softmax(x: Any, axis: int = -1) -> Any:
    """Softmax along ``axis`` (the last by default)."""
    return current_engine().b.softmax(x, axis)


def log_softmax(x: Any, axis: int = -1) -> Any:
    """Log-softmax along ``axis``."""
    return current_engine().b.log_softmax(x, axis)


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))``."""
    return current_engine().b.softplus(x)


def softsign(x: Any) -> Any:
    """``x / (1 + |x|)``."""
    e = current_engine()
    return e.b.divide(x, e.b.add(e.b.abs(x), e.const(1.0, e.b.dtype(x))))


def gelu(x: Any, approximate: bool = False) -> Any:
    """Gaussian error linear unit; exact (erf) by default, as in Keras."""
    return current_engine().b.gelu(x, approximate)


def silu(x: Any) -> Any:
    """``x * sigmoid(x)``."""
    e = current_engine()
    return e.b.multiply(x, e.b.sigmoid(x))


swish = silu


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    e = current_engine()
    return e.b.where(
        e.b.greater(x, e.const(0.0, e.b.dtype(x))), x, e.scale(e.b.expm1(x), alpha)
    )


def selu(x: Any) -> Any:
    """Scaled ELU with the constants of Klambauer et al. (https://arxiv.org/abs/1706.02515)."""
    alpha, scale = 1.67326324, 1.05070098
    e = current_engine()
    return e.scale(elu(x, alpha), scale)


def exponential(x: Any) -> Any:
    """``exp(x)``."""
    return current_engine().b.exp(x)


def linear(x: Any) -> Any:
    """Identity."""
    return x


ALL: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        relu,
        relu6,
        leaky_relu,
        sigmoid,
        hard_sigmoid,
        tanh,
        softmax,
        log_softmax,
        softplus,
        softsign,
        gelu,
        silu,
        elu,
        selu,
        exponential,
        linear,
    )
}
ALL["swish"] = silu


def get(identifier: Any) -> Callable[..., Any]:
    """Resolve an activation: a name (``"relu"``), None (linear), or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = ALL.get(identifier.lower())
        if fn is None:
            raise ValueError(
                f"Unknown activation: {identifier!r}. Expected one of {sorted(ALL)} "
                "or a callable."
            )
        return fn
    if isinstance(identifier, dict) and "class_name" in identifier:
        return get(identifier.get("config", {}).get("name", identifier["class_name"]))
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier: {identifier!r}. "
        "Expected a name, None, or a callable."
    )


def serialize(fn: Callable[..., Any]) -> str:
    """The name a built-in activation is saved under."""
    for name, f in ALL.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", repr(fn))
