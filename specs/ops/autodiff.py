"""Specs of the autodiff, compile and numerics groups, checked by their properties."""

from __future__ import annotations

import numpy as np

from kconform.dtypes import finfo, to_numpy_dtype

from .tensors import property_spec

GRAD_DTYPES = ("float32", "float64")


def _close(ctx, got, expected, dtype, what, k=16.0):
    got = np.asarray(got, dtype=np.float64)
    tol = (
        k
        * float(finfo(dtype).eps)
        * max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    )
    ctx.expect(
        got.shape == np.shape(expected),
        f"{what}: shape {got.shape}, expected {np.shape(expected)}",
    )
    err = float(np.max(np.abs(got - expected), initial=0.0))
    ctx.expect(
        err <= tol,
        f"{what}: max error {err:.3g} > {tol:.3g}; got {got!r}, expected {expected!r}",
    )


def _inputs(dtype):
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 2, (3, 4)).astype(to_numpy_dtype(dtype))
    y = rng.uniform(-2, 2, (4,)).astype(to_numpy_dtype(dtype))
    return x, y


def _value_and_grad(ctx, dtype):
    b = ctx.backend
    x, y = _inputs(dtype)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    # Only exact or correctly rounded ops (multiply, add, sum), so that a fault
    # here is autodiff's, not an inaccurate op's: d/dy sum(y * w) is w exactly.
    w = np.arange(1, 5, dtype=to_numpy_dtype(dtype)) * 0.25
    w64 = w.astype(np.float64)
    expected_value = float(np.sum(x64 * x64) + np.sum(y64 * w64))
    w_t = b.from_numpy(w)

    def f_list(p):
        return b.add(b.sum(b.multiply(p[0], p[0])), b.sum(b.multiply(p[1], w_t)))

    value, grads = b.value_and_grad(f_list, False)([b.from_numpy(x), b.from_numpy(y)])
    _close(ctx, b.to_numpy(value), expected_value, dtype, "value (list params)")
    ctx.expect(
        isinstance(grads, (list, tuple)) and len(grads) == 2,
        f"grads of a list of 2 params is {type(grads).__name__}",
    )
    _close(ctx, b.to_numpy(grads[0]), 2 * x64, dtype, "d/dx sum(x*x)")
    _close(ctx, b.to_numpy(grads[1]), w64, dtype, "d/dy sum(y * w)")
    ctx.expect(
        b.dtype(grads[0]) == dtype,
        f"gradient dtype {b.dtype(grads[0])}, expected {dtype}",
    )

    def f_dict(p, scale):
        loss = b.multiply(b.sum(b.matmul(p["w"], p["b"])), scale)
        return loss, {"logits": b.matmul(p["w"], p["b"])}

    (value, aux), grads = b.value_and_grad(f_dict, True)(
        {"w": b.from_numpy(x), "b": b.from_numpy(y), "unused": b.from_numpy(y)},
        b.from_numpy(np.asarray(2.0, dtype=to_numpy_dtype(dtype))),
    )
    ctx.expect(
        isinstance(grads, dict) and set(grads) == {"w", "b", "unused"},
        "grads of a dict of params has keys "
        f"{sorted(grads) if isinstance(grads, dict) else grads!r}",
    )
    _close(
        ctx,
        b.to_numpy(value),
        2 * float(np.sum(x64 @ y64)),
        dtype,
        "value (dict, has_aux)",
    )
    _close(ctx, b.to_numpy(aux["logits"]), x64 @ y64, dtype, "aux output")
    _close(ctx, b.to_numpy(grads["w"]), 2 * np.broadcast_to(y64, (3, 4)), dtype, "d/dw")
    _close(ctx, b.to_numpy(grads["b"]), 2 * x64.sum(axis=0), dtype, "d/db")
    _close(
        ctx,
        b.to_numpy(grads["unused"]),
        np.zeros(4),
        dtype,
        "gradient of an unused param",
    )


def _stop_gradient(ctx, dtype):
    b = ctx.backend
    x, _ = _inputs(dtype)
    same = b.to_numpy(b.stop_gradient(b.from_numpy(x)))
    ctx.expect(np.array_equal(same, x), "stop_gradient changed the values")

    def f(p):
        return b.sum(b.multiply(b.stop_gradient(p[0]), p[0]))

    _, grads = b.value_and_grad(f, False)([b.from_numpy(x)])
    _close(
        ctx,
        b.to_numpy(grads[0]),
        x.astype(np.float64),
        dtype,
        "d/dx sum(stop_gradient(x) * x) (x, not 2x)",
    )


def _jit(ctx, dtype):
    b = ctx.backend
    x, y = _inputs(dtype)

    def fn(inputs):
        a, v = inputs["a"], inputs["v"]
        return [b.add(b.matmul(a, v), b.sum(b.sin(a), 1)), {"t": b.tanh(a)}]

    compiled = b.jit(fn)
    for scale in (1.0, -0.5):  # a second call with new values must not reuse the first
        inputs = {"a": b.from_numpy(x * scale), "v": b.from_numpy(y)}
        eager, fast = fn(inputs), compiled(inputs)
        _close(
            ctx,
            b.to_numpy(fast[0]),
            b.to_numpy(eager[0]).astype(np.float64),
            dtype,
            f"jit output 0 (scale {scale})",
            k=64,
        )
        _close(
            ctx,
            b.to_numpy(fast[1]["t"]),
            b.to_numpy(eager[1]["t"]).astype(np.float64),
            dtype,
            f"jit output 1 (scale {scale})",
            k=64,
        )


def _configure(ctx, dtype):
    b = ctx.backend
    result = b.configure_numerics(True, False)
    ctx.expect(result is None, f"configure_numerics returned {result!r}, expected None")
    rng = np.random.default_rng(9)
    a, c = rng.uniform(-1, 1, (64, 256)), rng.uniform(-1, 1, (256, 32))
    out = b.to_numpy(
        b.matmul(b.from_numpy(a.astype(np.float32)), b.from_numpy(c.astype(np.float32)))
    )
    ref = a.astype(np.float32).astype(np.float64) @ c.astype(np.float32).astype(
        np.float64
    )
    bound = 256 * float(finfo("float32").eps) / 2 * (np.abs(a) @ np.abs(c))
    worst = float(np.max(np.abs(out - ref) / bound))
    ctx.expect(
        worst <= 1.0,
        f"with fast matmul off, a float32 matmul is {worst:.3g} times "
        "its error bound: a reduced-precision path (TF32/bf16) is still on",
    )


SPECS = [
    property_spec("value_and_grad", _value_and_grad, GRAD_DTYPES),
    property_spec("stop_gradient", _stop_gradient, GRAD_DTYPES),
    property_spec("jit", _jit, ("float32",)),
    property_spec("configure_numerics", _configure, ("float32",)),
]
