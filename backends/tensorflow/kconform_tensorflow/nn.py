"""Contract groups ``linalg`` and ``nn`` minus conv and pooling: matmul, activations."""

from __future__ import annotations

import math

from kconform import hookimpl

from ._tf import tf
from ._util import (
    INTS,
    Tensor,
    as_tensor,
    float_input,
    narrow,
    norm_axis,
    promoted,
    static_shape,
    tf_dtype,
    widen,
)


# -- linalg -----------------------------------------------------------------
@hookimpl
def kconform_matmul(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the matrix product with ``numpy.matmul`` semantics."""
    a, b = promoted(x1, x2)
    sa, sb = static_shape(a), static_shape(b)
    if not sa or not sb:
        raise ValueError(f"matmul needs operands of rank >= 1; received {sa} and {sb}")
    a2 = tf.expand_dims(a, 0) if len(sa) == 1 else a  # a row
    b2 = tf.expand_dims(b, -1) if len(sb) == 1 else b  # a column
    ka, kb = a2.shape[-1], b2.shape[-2]
    if ka != kb:
        raise ValueError(f"matmul: inner dimensions differ: {sa} @ {sb} ({ka} != {kb})")
    try:
        tf.broadcast_static_shape(a2.shape[:-2], b2.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of {sa} and {sb} do not broadcast"
        ) from None
    dtype = a2.dtype
    if dtype == tf.bool:  # an OR of ANDs: count in int32, test for nonzero
        a2, b2 = tf.cast(a2, tf.int32), tf.cast(b2, tf.int32)
    a2, _ = widen(a2)
    b2, _ = widen(b2)
    out = tf.linalg.matmul(a2, b2)
    if len(sa) == 1:
        out = tf.squeeze(out, -2)
    if len(sb) == 1:
        out = tf.squeeze(out, -1)
    return tf.not_equal(out, 0) if dtype == tf.bool else narrow(out, dtype)


def _check_einsum(subscripts: str, shapes: list[tuple[int, ...]]) -> None:
    """Raise ValueError when operand shapes disagree with ``subscripts``."""
    if not isinstance(subscripts, str) or "->" not in subscripts:
        raise ValueError(
            f"einsum needs explicit output subscripts ('->'); received {subscripts!r}"
        )
    inputs = subscripts.replace(" ", "").split("->")[0].split(",")
    if len(inputs) != len(shapes):
        raise ValueError(
            f"einsum: {subscripts!r} names {len(inputs)} operands; "
            f"received {len(shapes)}"
        )
    sizes: dict[str, int] = {}
    for labels, shape in zip(inputs, shapes, strict=True):
        head, _, tail = labels.partition("...")
        ellipsis = "..." in labels
        if len(head) + len(tail) > len(shape) or (
            not ellipsis and len(head) != len(shape)
        ):
            raise ValueError(
                f"einsum: operand {labels!r} does not match the rank of "
                f"its shape {shape}"
            )
        lead = zip(head, shape[: len(head)], strict=True)
        trail = zip(tail, shape[len(shape) - len(tail) :], strict=True)
        pairs = [*lead, *trail]
        for letter, dim in pairs:
            if sizes.setdefault(letter, dim) != dim:
                raise ValueError(
                    f"einsum: index {letter!r} has sizes "
                    f"{sizes[letter]} and {dim} in {subscripts!r} "
                    f"for shapes {shapes}"
                )


@hookimpl
def kconform_einsum(subscripts: str, operands: list[Tensor]) -> Tensor:
    """Evaluate an explicit-output Einstein summation."""
    ts = promoted(*operands)
    _check_einsum(subscripts, [static_shape(t) for t in ts])
    dtype = ts[0].dtype
    return narrow(tf.einsum(subscripts, *[widen(t)[0] for t in ts]), dtype)


# -- activations ------------------------------------------------------------
@hookimpl
def kconform_relu(x: Tensor) -> Tensor:
    """Return ``max(x, 0)``; NaN stays NaN."""
    x = as_tensor(x)
    return x if x.dtype == tf.bool else tf.nn.relu(x)


def _widened(fn):  # type: ignore[no-untyped-def]
    """Compute a float activation in float32 for 16-bit inputs, then round once."""

    def apply(x: Tensor, *args: object) -> Tensor:
        wide, dtype = widen(float_input(x))
        return narrow(fn(wide, *args), dtype)

    return apply


def _split_sign(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``x >= 0`` and ``x`` zeroed on each side: the double-where trick.

    Each branch of a ``tf.where`` is differentiated everywhere; feeding each
    branch only the inputs it is selected for keeps the other's overflow
    (``exp(-x)`` for very negative ``x``) out of the gradient as ``inf * 0``.
    """
    pos = x >= 0
    zero = tf.zeros_like(x)
    return pos, tf.where(pos, x, zero), tf.where(pos, zero, x)


def _stable_sigmoid(x: Tensor) -> Tensor:
    # NOTE: TF's float32 sigmoid kernel is up to 6 ulp off for x < 0 (measured
    # on a dense grid of (-87, -1)); exp(x) / (1 + exp(x)) there and
    # 1 / (1 + exp(-x)) above stay within 2.5 ulp and never overflow.
    pos, xp, xn = _split_sign(x)
    en = tf.exp(xn)
    return tf.where(pos, 1.0 / (1.0 + tf.exp(-xp)), en / (1.0 + en))


@_widened
def _sigmoid(x: Tensor) -> Tensor:
    return _stable_sigmoid(x)


@_widened
def _softplus(x: Tensor) -> Tensor:
    # TF's kernel is within 4 ulp on (-9, 9) in float32 (the usual range); a
    # log1p(exp(x)) composition measured worse (4.5 ulp at -3.46).
    return tf.math.softplus(x)


@_widened
def _gelu(x: Tensor, approximate: bool) -> Tensor:
    if approximate:
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        # 0.5 * (1 + tanh(z)) == sigmoid(2z), without the cancellation of
        # 1 + tanh(z) for negative x (TF's tf.nn.gelu loses every bit there).
        return x * _stable_sigmoid(2.0 * inner)
    # erfc(-z) == 1 + erf(z), without cancellation for large negative x.
    return 0.5 * x * tf.math.erfc(-x * (1.0 / math.sqrt(2.0)))


@hookimpl
def kconform_sigmoid(x: Tensor) -> Tensor:
    """Return ``1 / (1 + exp(-x))``."""
    return _sigmoid(x)


@hookimpl
def kconform_softplus(x: Tensor) -> Tensor:
    """Return ``log(1 + exp(x))``."""
    return _softplus(x)


@hookimpl
def kconform_gelu(x: Tensor, approximate: bool) -> Tensor:
    """Return GELU (erf form, or tanh form with ``approximate``)."""
    return _gelu(x, bool(approximate))


@_widened
def _softmax(x: Tensor, axis: int) -> Tensor:
    return tf.nn.softmax(x, axis=norm_axis(axis, x.shape.rank))


@_widened
def _log_softmax(x: Tensor, axis: int) -> Tensor:
    return tf.nn.log_softmax(x, axis=norm_axis(axis, x.shape.rank))


@hookimpl
def kconform_softmax(x: Tensor, axis: int) -> Tensor:
    """Return the softmax along ``axis``."""
    return _softmax(x, axis)


@hookimpl
def kconform_log_softmax(x: Tensor, axis: int) -> Tensor:
    """Return the log-softmax along ``axis``."""
    return _log_softmax(x, axis)


@hookimpl
def kconform_one_hot(indices: Tensor, num_classes: int, dtype: str) -> Tensor:
    """Return one-hot rows; an index outside ``[0, num_classes)`` gives zeros."""
    idx = as_tensor(indices)
    if idx.dtype not in INTS:
        raise TypeError(
            f"one_hot: indices must be int32 or int64; received {idx.dtype.name}"
        )
    if int(num_classes) < 0:
        raise ValueError(f"one_hot: num_classes must be >= 0; received {num_classes}")
    target = tf_dtype(dtype)
    # TF's OneHot has no bool kernel; 0 and 1 are exact in every dtype.
    out = tf.one_hot(idx, int(num_classes), dtype=tf.int32)
    return tf.cast(out, target)


@hookimpl
def kconform_batch_norm(
    x: Tensor,
    mean: Tensor,
    variance: Tensor,
    offset: Tensor | None,
    scale: Tensor | None,
    epsilon: float,
) -> Tensor:
    """Return ``(x - mean) * rsqrt(variance + epsilon) * scale + offset``."""
    named = {
        "x": x,
        "mean": mean,
        "variance": variance,
        "offset": offset,
        "scale": scale,
    }
    named = {k: v for k, v in named.items() if v is not None}
    ts = dict(zip(named, promoted(*named.values()), strict=True))
    shape = static_shape(ts["x"])
    for name, t in ts.items():
        try:
            both = tf.broadcast_static_shape(tf.TensorShape(shape), t.shape)
            ok = both.as_list() == list(shape)
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"batch_norm: {name} of shape {static_shape(t)} does "
                f"not broadcast to x's shape {shape}"
            )
    dtype = ts["x"].dtype
    if dtype in INTS or dtype == tf.bool:  # a float op: ints compute in float32
        ts = {k: tf.cast(t, tf.float32) for k, t in ts.items()}
        dtype = tf.float32
    w = {k: widen(t)[0] for k, t in ts.items()}
    eps = tf.constant(float(epsilon), w["x"].dtype)  # tf.cast(float) goes via float32
    out = (w["x"] - w["mean"]) * tf.math.rsqrt(w["variance"] + eps)
    if "scale" in w:
        out = out * w["scale"]
    if "offset" in w:
        out = out + w["offset"]
    return narrow(out, dtype)
