"""Contract groups ``linalg`` and ``nn`` (activations, one_hot, batch_norm).

float16 and bfloat16 inputs are computed in float32 and rounded once at the
end: products and sums accumulate in at least the input precision, and a
composite activation (gelu, softmax) rounds once rather than at every step.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax

from kconform import hookimpl

from ._common import (
    Array,
    arr,
    cast,
    check_axis,
    compute_dtype,
    dtype_name,
    float_result,
    np_dtype,
    promote_all,
    to_float,
)
from ._kernel import kernel


@hookimpl
@kernel
def kconform_matmul(x1: Array, x2: Array) -> Array:
    """Matrix product with numpy.matmul semantics and the promoted dtype."""
    (a, b), target = promote_all([arr(x1, "matmul", "x1"), arr(x2, "matmul", "x2")])
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"jax backend, op 'matmul': operands must have rank >= 1; received "
            f"shapes {tuple(a.shape)} and {tuple(b.shape)}"
        )
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ValueError(
            f"jax backend, op 'matmul': inner dimensions differ: x1 {tuple(a.shape)} "
            f"has {a.shape[-1]}, x2 {tuple(b.shape)} has {inner_b}"
        )
    wide = compute_dtype(target)
    # Precision follows jax_default_matmul_precision (see configure_numerics).
    out = jnp.matmul(a.astype(wide), b.astype(wide))
    return cast(out, target)


@hookimpl
@kernel
def kconform_einsum(subscripts: str, operands: list[Array]) -> Array:
    """Explicit-output Einstein summation, as numpy.einsum."""
    if not isinstance(subscripts, str):
        raise TypeError("jax backend, op 'einsum': subscripts must be a str; "
                        f"received {type(subscripts).__name__}")  # fmt: skip
    items = [arr(t, "einsum", f"operands[{i}]") for i, t in enumerate(operands)]
    if not items:
        raise ValueError("jax backend, op 'einsum': needs at least one operand")
    items, target = promote_all(items)
    wide = compute_dtype(target)
    # jnp.einsum checks label sizes and raises ValueError on a mismatch.
    out = jnp.einsum(subscripts, *[t.astype(wide) for t in items])
    return cast(out, target)


def _activation(op: str, fn: Callable[[Array], Array], x: Array) -> Array:
    """Apply a float activation: float16/bfloat16 in float32, ints give float32."""
    x, result = to_float(arr(x, op))
    return cast(fn(x.astype(compute_dtype(result))), result)


@hookimpl
@kernel
def kconform_relu(x: Array) -> Array:
    """Return ``max(x, 0)``; NaN stays NaN; the gradient at 0 is 0."""
    # jax.nn.relu is jnp.maximum (NaN-propagating) with a custom JVP: plain
    # maximum would split the gradient at a tie, giving 0.5 at x == 0.
    x = arr(x, "relu")
    return x if dtype_name(x) == "bool" else jax.nn.relu(x)  # relu(True) is True


@hookimpl
@kernel
def kconform_sigmoid(x: Array) -> Array:
    """Return the logistic function of ``x``."""
    return _activation("sigmoid", jax.nn.sigmoid, x)


@hookimpl
@kernel
def kconform_softplus(x: Array) -> Array:
    """Return ``log(1 + exp(x))`` (logaddexp with 0, so no overflow)."""
    return _activation("softplus", jax.nn.softplus, x)


@hookimpl
@kernel
def kconform_gelu(x: Array, approximate: bool) -> Array:
    """Return GELU, exact (erf) or the tanh approximation."""
    return _activation(
        "gelu", lambda v: jax.nn.gelu(v, approximate=bool(approximate)), x
    )


@hookimpl
@kernel
def kconform_softmax(x: Array, axis: int) -> Array:
    """Return softmax along ``axis`` (max-shifted; -inf entries get 0)."""
    x = arr(x, "softmax")
    axis = check_axis(axis, x.ndim, "softmax")
    return _activation("softmax", lambda v: jax.nn.softmax(v, axis=axis), x)


@hookimpl
@kernel
def kconform_log_softmax(x: Array, axis: int) -> Array:
    """Return ``x - logsumexp(x)`` along ``axis``."""
    x = arr(x, "log_softmax")
    axis = check_axis(axis, x.ndim, "log_softmax")
    return _activation("log_softmax", lambda v: jax.nn.log_softmax(v, axis=axis), x)


@hookimpl
@kernel
def kconform_one_hot(indices: Array, num_classes: int, dtype: str) -> Array:
    """One-hot rows of int ``indices``; one outside ``[0, num_classes)`` is zeros."""
    indices = arr(indices, "one_hot", "indices")
    if dtype_name(indices) not in ("int32", "int64"):
        raise TypeError("jax backend, op 'one_hot': indices must be int32 or int64; "
                        f"received {dtype_name(indices)}")  # fmt: skip
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, int)
        or (num_classes < 0)
    ):
        raise ValueError("jax backend, op 'one_hot': num_classes must be an int "
                         f">= 0; received {num_classes!r}")  # fmt: skip
    classes = jnp.arange(num_classes, dtype=indices.dtype)
    return (indices[..., None] == classes).astype(np_dtype(dtype))


@hookimpl
@kernel
def kconform_batch_norm(
    x: Array,
    mean: Array,
    variance: Array,
    offset: Array | None,
    scale: Array | None,
    epsilon: float,
) -> Array:
    """Return ``(x - mean) * rsqrt(variance + epsilon) * scale + offset``."""
    given = {"x": x, "mean": mean, "variance": variance, "offset": offset,
             "scale": scale}  # fmt: skip
    tensors = {k: arr(v, "batch_norm", k) for k, v in given.items() if v is not None}
    shapes = [tuple(t.shape) for t in tensors.values()]
    try:
        jnp.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            "jax backend, op 'batch_norm': shapes do not broadcast: "
            + ", ".join(f"{k}={tuple(t.shape)}" for k, t in tensors.items())
        ) from None
    names = list(tensors)
    promoted, target = promote_all(list(tensors.values()))
    target = float_result(target)
    wide = compute_dtype(target)
    t = {k: v.astype(wide) for k, v in zip(names, promoted, strict=True)}
    out = (t["x"] - t["mean"]) * lax.rsqrt(t["variance"] + epsilon)
    if "scale" in t:
        out = out * t["scale"]
    if "offset" in t:
        out = out + t["offset"]
    return cast(out, target)
