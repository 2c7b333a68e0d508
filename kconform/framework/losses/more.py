"""More of Keras 3's per-sample losses: percentage and log errors, cosine, log-cosh,
hinges, KL divergence, Poisson, binary focal crossentropy (as Keras defines them)."""

from __future__ import annotations

import math
from typing import Any

from .._engine import Engine, current_engine
from .functions import (
    _binary_elementwise,
    _regression_pair,
    _shapes_equal,
    tensors_in,
)

__all__ = [
    "binary_focal_crossentropy",
    "categorical_hinge",
    "cosine_similarity",
    "hinge",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "squared_hinge",
]

#: Keras's ``backend.epsilon()``.
EPSILON = 1e-7


def _pair(y_true: Any, y_pred: Any) -> tuple[Engine, Any, Any]:
    e = current_engine()
    y_pred = e.tensor(y_pred)
    y_true, y_pred = _regression_pair(e, e.tensor(y_true), y_pred)
    return e, y_true, y_pred


@tensors_in
def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Any:
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)``."""
    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    dtype = b.dtype(y_pred)
    denom = b.maximum(b.abs(y_true), e.const(EPSILON, dtype))
    diff = b.abs(b.divide(b.subtract(y_true, y_pred), denom))
    return e.scale(b.mean(diff, -1), 100.0)


@tensors_in
def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Any:
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2)``."""
    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    dtype = b.dtype(y_pred)
    eps, one = e.const(EPSILON, dtype), e.const(1.0, dtype)
    first = b.log(b.add(b.maximum(y_pred, eps), one))
    second = b.log(b.add(b.maximum(y_true, eps), one))
    return b.mean(b.square(b.subtract(first, second)), -1)


@tensors_in
def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: minimised."""
    from ..ops_numpy import normalize

    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    products = b.multiply(normalize(y_true, axis=axis), normalize(y_pred, axis=axis))
    return b.negative(b.sum(products, axis))


@tensors_in
def log_cosh(y_true: Any, y_pred: Any) -> Any:
    """``mean(log(cosh(y_pred - y_true)))`` as ``x + softplus(-2x) - log 2``."""
    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    dtype = b.dtype(y_pred)
    x = b.subtract(y_pred, y_true)
    value = b.add(x, b.softplus(e.scale(x, -2.0)))
    return b.mean(b.subtract(value, e.const(math.log(2.0), dtype)), -1)


def _hinge_labels(e: Engine, y_true: Any) -> Any:
    """Labels in {0, 1} become {-1, 1} (all of them, or none, as Keras)."""
    b = e.b
    dtype = b.dtype(y_true)
    zero, one = e.const(0.0, dtype), e.const(1.0, dtype)
    binary = b.all(b.logical_or(b.equal(y_true, zero), b.equal(y_true, one)))
    return b.where(binary, b.subtract(e.scale(y_true, 2.0), one), y_true)


def _margin(y_true: Any, y_pred: Any) -> tuple[Engine, Any]:
    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    dtype = b.dtype(y_pred)
    y_true = _hinge_labels(e, y_true)
    margin = b.subtract(e.const(1.0, dtype), b.multiply(y_true, y_pred))
    return e, b.maximum(margin, e.const(0.0, dtype))


@tensors_in
def hinge(y_true: Any, y_pred: Any) -> Any:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``, labels -1/1 (or 0/1)."""
    e, margin = _margin(y_true, y_pred)
    return e.b.mean(margin, -1)


@tensors_in
def squared_hinge(y_true: Any, y_pred: Any) -> Any:
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``."""
    e, margin = _margin(y_true, y_pred)
    return e.b.mean(e.b.square(margin), -1)


@tensors_in
def categorical_hinge(y_true: Any, y_pred: Any) -> Any:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    dtype = b.dtype(y_pred)
    one = e.const(1.0, dtype)
    pos = b.sum(b.multiply(y_true, y_pred), -1)
    neg = b.max(b.multiply(b.subtract(one, y_true), y_pred), -1)
    return b.maximum(b.add(b.subtract(neg, pos), one), e.const(0.0, dtype))


@tensors_in
def kl_divergence(y_true: Any, y_pred: Any) -> Any:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[eps, 1]``."""
    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    y_true = b.clip(y_true, EPSILON, 1.0)
    y_pred = b.clip(y_pred, EPSILON, 1.0)
    return b.sum(b.multiply(y_true, b.log(b.divide(y_true, y_pred))), -1)


@tensors_in
def poisson(y_true: Any, y_pred: Any) -> Any:
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    e, y_true, y_pred = _pair(y_true, y_pred)
    b = e.b
    dtype = b.dtype(y_pred)
    log_pred = b.log(b.add(y_pred, e.const(EPSILON, dtype)))
    return b.mean(b.subtract(y_pred, b.multiply(y_true, log_pred)), -1)


@tensors_in
def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Binary crossentropy scaled by ``(1 - p_t) ** gamma`` (Lin et al., 2017)."""
    e = current_engine()
    b = e.b
    y_pred = e.tensor(y_pred)
    dtype = b.dtype(y_pred)
    y_true = e.cast(e.tensor(y_true), dtype)
    from .functions import _same_rank

    y_true, y_pred = _same_rank(e, y_true, y_pred)
    _shapes_equal(e, y_true, y_pred)
    one = e.const(1.0, dtype)
    if label_smoothing:
        y_true = b.add(
            e.scale(y_true, 1.0 - label_smoothing),
            e.const(0.5 * label_smoothing, dtype),
        )
    if from_logits:
        y_pred = b.sigmoid(y_pred)
    bce = _binary_elementwise(e, y_true, y_pred, False)
    p_t = b.add(
        b.multiply(y_true, y_pred),
        b.multiply(b.subtract(one, y_true), b.subtract(one, y_pred)),
    )
    focal = b.multiply(b.power(b.subtract(one, p_t), e.const(float(gamma), dtype)), bce)
    if apply_class_balancing:
        weight = b.add(
            e.scale(y_true, alpha), e.scale(b.subtract(one, y_true), 1.0 - alpha)
        )
        focal = b.multiply(weight, focal)
    return b.mean(focal, axis)
