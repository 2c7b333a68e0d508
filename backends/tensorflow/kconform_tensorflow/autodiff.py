"""Contract groups ``autodiff``, ``compile``, ``numerics``: tapes and tf.function."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from kconform import hookimpl

from ._tf import ONEDNN_BF16_FPMATH, tf
from ._util import Tensor, as_tensor


def _leaves(params: Any) -> list[Any]:
    if not isinstance(params, (list, dict)):
        raise TypeError(
            f"value_and_grad: params must be a list or a dict of "
            f"tensors; received {type(params).__name__}"
        )
    return [
        p if isinstance(p, tf.Variable) else as_tensor(p)
        for p in tf.nest.flatten(params)
    ]


@hookimpl
def kconform_value_and_grad(
    fn: Callable[..., Any], has_aux: bool
) -> Callable[..., Any]:
    """Return ``g(params, *args) -> (value, grads)`` computed with a GradientTape."""

    @functools.wraps(fn)
    def value_and_grad(params: Any, *args: Any) -> Any:
        leaves = _leaves(params)
        structured = tf.nest.pack_sequence_as(params, leaves)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            for leaf in leaves:
                tape.watch(leaf)
            out = fn(structured, *args)
        value, aux = out if has_aux else (out, None)
        value = as_tensor(value)
        if value.shape.rank != 0:
            raise ValueError(
                f"value_and_grad: fn must return a scalar; it "
                f"returned shape {tuple(value.shape)}"
            )
        grads = tape.gradient(
            value, leaves, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        # Gathers give IndexedSlices; the contract wants dense tensors.
        grads = [tf.convert_to_tensor(g) for g in grads]
        grads = tf.nest.pack_sequence_as(params, grads)
        return ((value, aux) if has_aux else value), grads

    return value_and_grad


@hookimpl
def kconform_stop_gradient(x: Tensor) -> Tensor:
    """Return ``x`` as a constant for the tape."""
    return tf.stop_gradient(x)


@hookimpl
def kconform_jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``fn`` into a TF graph with ``tf.function`` (traced at the first call).

    Autograph is off: the contract's functions do no Python control flow on
    values, and tracing plain Python keeps this plugin's own eager-mode checks
    (static shapes, runtime index assertions) as they are.
    """
    return tf.function(fn, autograph=False)


@hookimpl
def kconform_configure_numerics(deterministic: bool, allow_fast_matmul: bool) -> None:
    """Turn on op determinism and turn TF32 matmul/conv on or off, process-wide."""
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    else:
        # No public inverse of enable_op_determinism; the internal one is stable.
        from tensorflow.python.framework import config as _config

        _config.disable_op_determinism()
    tf.config.experimental.enable_tensor_float_32_execution(bool(allow_fast_matmul))
    if not allow_fast_matmul and ONEDNN_BF16_FPMATH:
        raise RuntimeError(
            "TF_SET_ONEDNN_FPMATH_MODE=BF16 was set when TensorFlow was imported: "
            "oneDNN rounds float32 matmul and conv inputs to bfloat16 and cannot "
            "be switched back in this process. Unset it and restart."
        )
