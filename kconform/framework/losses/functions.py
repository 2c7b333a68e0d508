"""Per-sample loss functions (Keras 3 definitions): crossentropies, MSE, MAE, Huber.

Crossentropy on probabilities normalizes them to sum to 1 and clips them to
``[epsilon, 1 - epsilon]`` (``epsilon = 1e-7``) before the log; with
``from_logits=True`` it uses ``log_softmax`` (``log_sigmoid`` for binary).
"""

from __future__ import annotations

from typing import Any

from .. import _config
from .._engine import Engine, current_engine

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "huber",
    "mean_absolute_error",
    "mean_squared_error",
    "sparse_categorical_crossentropy",
]


def tensors_in(fn: Any) -> Any:
    """Make ``fn(y_true, y_pred, ...)`` take arrays and numbers too, as Keras's
    loss functions do (``ops.convert_to_tensor`` of both)."""
    import functools

    @functools.wraps(fn)
    def loss(y_true: Any, y_pred: Any, *args: Any, **kwargs: Any) -> Any:
        from ..variables import Variable

        e = current_engine()

        def tensor(x: Any) -> Any:
            if isinstance(x, Variable):
                return x.value
            return x if e.b.is_tensor(x) else e.tensor(x)

        return fn(tensor(y_true), tensor(y_pred), *args, **kwargs)

    return loss


def _same_rank(e: Engine, x1: Any, x2: Any) -> tuple[Any, Any]:
    """Keras's ``squeeze_or_expand_to_same_rank``: fix a trailing axis of 1."""
    b = e.b
    r1, r2 = len(b.shape(x1)), len(b.shape(x2))
    if r1 == r2 + 1 and b.shape(x1)[-1] == 1:
        x2 = b.expand_dims(x2, -1) if r2 == 1 else x2
        x1 = x1 if r2 == 1 else b.squeeze(x1, -1)
    elif r2 == r1 + 1 and b.shape(x2)[-1] == 1:
        x1 = b.expand_dims(x1, -1) if r1 == 1 else x1
        x2 = x2 if r1 == 1 else b.squeeze(x2, -1)
    return x1, x2


def _regression_pair(e: Engine, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Cast, fix a trailing axis of 1, and refuse a silent broadcast (Keras would)."""
    y_true, y_pred = _same_rank(e, e.cast(y_true, e.b.dtype(y_pred)), y_pred)
    ts, ps = tuple(e.b.shape(y_true)), tuple(e.b.shape(y_pred))
    if ts != ps:
        raise ValueError(
            "Arguments `y_true` and `y_pred` must have the same shape; they would be "
            f"broadcast. Received: y_true.shape={ts}, y_pred.shape={ps}"
        )
    return y_true, y_pred


def _shapes_equal(e: Engine, target: Any, output: Any, hint: str = "") -> None:
    ts, os_ = tuple(e.b.shape(target)), tuple(e.b.shape(output))
    if ts != os_:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={ts}, output.shape={os_}" + hint
        )


def _integer_labels_hint(e: Engine, target: Any, output: Any) -> str:
    """Why categorical crossentropy got a target of another shape, if it is the
    usual mistake: integer class labels, one per sample, instead of one-hot rows."""
    ts, os_ = tuple(e.b.shape(target)), tuple(e.b.shape(output))
    labels = ts == os_[:-1] or (ts[:-1] == os_[:-1] and ts[-1:] == (1,))
    if not labels or len(os_) < 1 or os_[-1] < 2:
        return ""
    return (
        f". The target holds one integer class label per sample, the output "
        f"{os_[-1]} class probabilities: use sparse_categorical_crossentropy "
        "(loss='sparse_categorical_crossentropy'), or one-hot encode the labels "
        f"(utils.to_categorical(y, {os_[-1]}))"
    )


def _log_probs(e: Engine, output: Any, from_logits: bool, axis: int) -> Any:
    b = e.b
    if from_logits:
        return b.log_softmax(output, axis)
    output = b.divide(output, b.sum(output, axis, True))
    eps = _config.epsilon()
    return b.log(b.clip(output, eps, 1.0 - eps))


@tensors_in
def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Per-sample crossentropy between one-hot ``y_true`` and ``y_pred``."""
    e = current_engine()
    b = e.b
    y_true = e.cast(y_true, b.dtype(y_pred))
    if label_smoothing:
        n = b.shape(y_true)[-1]
        y_true = b.add(
            e.scale(y_true, 1.0 - label_smoothing),
            e.const(label_smoothing / n, b.dtype(y_true)),
        )
    _shapes_equal(e, y_true, y_pred, _integer_labels_hint(e, y_true, y_pred))
    return b.negative(
        b.sum(b.multiply(y_true, _log_probs(e, y_pred, from_logits, axis)), axis)
    )


@tensors_in
def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> Any:
    """Per-sample crossentropy between integer labels ``y_true`` and ``y_pred``."""
    e = current_engine()
    b = e.b
    if ignore_class is not None:
        raise ValueError("`ignore_class` is not supported by the reference framework.")
    ts, ps = b.shape(y_true), b.shape(y_pred)
    if len(ts) == len(ps) and ts[-1] == 1:
        y_true = b.squeeze(y_true, -1)
        ts = b.shape(y_true)
    if tuple(ts) != tuple(ps[:-1]):
        one_hot_like = tuple(ts) == tuple(ps) and ps[-1] > 1
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the "
            f"last dimension: target.shape={tuple(ts)}, output.shape={tuple(ps)}"
            + (
                ". The target has the output's shape, one row of "
                f"{ps[-1]} per sample: one-hot labels. Use "
                "categorical_crossentropy (loss='categorical_crossentropy'), or "
                "pass the class indices (argmax of each row)"
                if one_hot_like
                else ""
            )
        )
    target = e.cast(y_true, "int32")
    one_hot = b.one_hot(target, ps[axis], b.dtype(y_pred))
    return b.negative(
        b.sum(b.multiply(one_hot, _log_probs(e, y_pred, from_logits, axis)), axis)
    )


def _binary_elementwise(e: Engine, target: Any, output: Any, from_logits: bool) -> Any:
    b = e.b
    dtype = b.dtype(output)
    one = e.const(1.0, dtype)
    if from_logits:
        log_logits = b.negative(b.softplus(b.negative(output)))  # log_sigmoid(x)
        log_neg_logits = b.negative(b.softplus(output))  # log_sigmoid(-x)
        first = b.multiply(b.multiply(e.const(-1.0, dtype), target), log_logits)
        return b.subtract(first, b.multiply(b.subtract(one, target), log_neg_logits))
    eps = _config.epsilon()
    output = b.clip(output, eps, 1.0 - eps)
    bce = b.multiply(target, b.log(output))
    bce = b.add(
        bce, b.multiply(b.subtract(one, target), b.log(b.subtract(one, output)))
    )
    return b.negative(bce)


@tensors_in
def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Per-sample binary crossentropy, averaged over the last axis."""
    e = current_engine()
    b = e.b
    y_true = e.cast(y_true, b.dtype(y_pred))
    if label_smoothing:
        y_true = b.add(
            e.scale(y_true, 1.0 - label_smoothing),
            e.const(0.5 * label_smoothing, b.dtype(y_true)),
        )
    _shapes_equal(e, y_true, y_pred)
    return b.mean(_binary_elementwise(e, y_true, y_pred, from_logits), axis)


@tensors_in
def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """``mean((y_true - y_pred) ** 2, axis=-1)``."""
    e = current_engine()
    b = e.b
    y_true, y_pred = _regression_pair(e, y_true, y_pred)
    return b.mean(b.square(b.subtract(y_true, y_pred)), -1)


@tensors_in
def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    """``mean(|y_true - y_pred|, axis=-1)``."""
    e = current_engine()
    b = e.b
    y_true, y_pred = _regression_pair(e, y_true, y_pred)
    return b.mean(b.abs(b.subtract(y_true, y_pred)), -1)


@tensors_in
def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Quadratic for ``|error| <= delta``, linear beyond, mean over the last axis."""
    e = current_engine()
    b = e.b
    dtype = b.dtype(y_pred)
    y_true, y_pred = _regression_pair(e, y_true, y_pred)
    d, half = e.const(delta, dtype), e.const(0.5, dtype)
    error = b.subtract(y_pred, y_true)
    abs_error = b.abs(error)
    quad = b.multiply(half, b.square(error))
    lin = b.subtract(b.multiply(d, abs_error), b.multiply(half, b.square(d)))
    return b.mean(b.where(b.less_equal(abs_error, d), quad, lin), -1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
