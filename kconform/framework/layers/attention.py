"""Attention layers: MultiHeadAttention and dot-product Attention (Keras 3 numerics).

``MultiHeadAttention`` projects query, key and value per head (kernels of
shape ``(dim, heads, key_dim)``), scales the query by ``1/sqrt(key_dim)``,
takes a softmax over the value steps with masked positions pushed to
``-1e9``, and projects the heads back (kernel ``(heads, value_dim, out)``).
Masks come from ``attention_mask``, ``use_causal_mask`` and the masks the
query and value carry (``Embedding(mask_zero=True)``), combined as Keras does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import initializers, regularizers
from .core import positive_int
from .layer import Layer

__all__ = ["Attention", "MultiHeadAttention"]


def _causal(q_len: int, v_len: int) -> np.ndarray:
    """``(1, q_len, v_len)``: True where the value step is not after the query step."""
    rows = np.arange(1, q_len + 1)[:, None]
    cols = np.arange(1, v_len + 1)[None, :]
    return (rows >= cols)[None]


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), as Keras's MultiHeadAttention.

    Args:
        num_heads: Number of attention heads.
        key_dim: Size of each head for query and key.
        value_dim: Size of each head for value (defaults to ``key_dim``).
        dropout: Dropout rate on the attention probabilities (training only).
        use_bias: Whether the projections have biases.
        output_shape: Size of the output's last axis (defaults to the query's).
        kernel_initializer, bias_initializer: For all four projections.

    Call: ``layer(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``.
    """

    supports_masking = True

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        del seed
        self.num_heads = positive_int(num_heads, "num_heads")
        self.key_dim = positive_int(key_dim, "key_dim")
        self.value_dim = positive_int(value_dim, "value_dim") if value_dim else key_dim
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"`dropout` must be in [0, 1). Received: {dropout!r}")
        self.dropout = float(dropout)
        self.use_bias = use_bias
        if isinstance(output_shape, (list, tuple)):
            if len(output_shape) != 1:
                raise ValueError(
                    "The reference framework supports an `output_shape` of one axis. "
                    f"Received: output_shape={output_shape!r}"
                )
            output_shape = output_shape[0]
        self.output_dim = output_shape
        if attention_axes not in (None, -2, (1,), [1], (-2,), [-2]):
            raise ValueError(
                "The reference framework attends over the sequence axis only "
                f"(attention_axes=None). Received: attention_axes={attention_axes!r}"
            )
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = (
            kernel_constraint,
            bias_constraint,
        )
        self._projections: dict[str, tuple[Any, Any]] = {}

    def _draws_noise(self) -> bool:
        return self.dropout > 0

    # -- weights ------------------------------------------------------------------
    def _projection(self, name: str, kernel: tuple[int, ...], bias: tuple[int, ...]):
        k = self.add_weight(
            shape=kernel,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name=f"{name}_kernel",
        )
        b = None
        if self.use_bias:
            b = self.add_weight(
                shape=bias,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name=f"{name}_bias",
            )
        self._projections[name] = (k, b)

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None):
        if value_shape is None:  # the call builds it once the value is known
            return
        key_shape = value_shape if key_shape is None else key_shape
        h, kd, vd = self.num_heads, self.key_dim, self.value_dim
        out = self.output_dim or query_shape[-1]
        self._projection("query", (query_shape[-1], h, kd), (h, kd))
        self._projection("key", (key_shape[-1], h, kd), (h, kd))
        self._projection("value", (value_shape[-1], h, vd), (h, vd))
        self._projection("attention_output", (h, vd, out), (out,))
        self.built = True

    def _project(self, name: str, x: Any, equation: str) -> Any:
        b = self._engine.b
        kernel, bias = self._projections[name]
        y = b.einsum(equation, [x, kernel.value])
        return b.add(y, bias.value) if bias is not None else y

    # -- the computation --------------------------------------------------------------
    def _attention_mask(
        self,
        query: Any,
        value: Any,
        query_mask: Any,
        value_mask: Any,
        key_mask: Any,
        attention_mask: Any,
        use_causal_mask: bool,
    ) -> Any:
        b = self._engine.b
        mask = None

        def both(a: Any, c: Any) -> Any:
            return c if a is None else b.logical_and(a, c)

        if query_mask is not None:
            mask = b.expand_dims(b.cast(query_mask, "bool"), -1)
        for m in (value_mask, key_mask):
            if m is not None:
                mask = both(mask, b.expand_dims(b.cast(m, "bool"), -2))
        if use_causal_mask:
            causal = _causal(b.shape(query)[1], b.shape(value)[1])
            mask = both(mask, b.from_numpy(causal))
        if attention_mask is not None:
            mask = both(b.cast(self._engine.tensor(attention_mask), "bool"), mask)
        return mask

    def call(
        self,
        query: Any,
        value: Any,
        key: Any = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
        mask: Any = None,
    ) -> Any:
        e = self._engine
        b = e.b
        key = value if key is None else key
        if query_mask is None and mask is not None:
            query_mask = mask
        if not self._projections:
            self.build(b.shape(query), b.shape(value), b.shape(key))
        dtype = b.dtype(query)
        q = self._project("query", query, "abc,cde->abde")
        k = self._project("key", key, "abc,cde->abde")
        v = self._project("value", value, "abc,cde->abde")
        q = b.multiply(q, e.const(1.0 / math.sqrt(float(self.key_dim)), dtype))
        scores = b.einsum("aecd,abcd->acbe", [k, q])
        full = self._attention_mask(
            query,
            value,
            query_mask,
            value_mask,
            key_mask,
            attention_mask,
            use_causal_mask,
        )
        if full is not None:
            big = e.const(-3e4 if dtype == "float16" else -1e9, dtype)
            full = b.expand_dims(full, -3)
            scores = b.where(full, scores, b.add(scores, big))
        probs = b.softmax(scores, -1)
        dropped = probs
        if training and self.dropout:
            from ._context import current_context

            keep = 1.0 - self.dropout
            keep_mask = current_context().dropout_mask(b.shape(probs), keep)  # type: ignore[union-attr]
            dropped = b.where(
                keep_mask, b.divide(probs, e.const(keep, dtype)), e.const(0.0, dtype)
            )
        heads = b.einsum("acbe,aecd->abcd", [dropped, v])
        out = self._project("attention_output", heads, "abcd,cde->abe")
        if return_attention_scores:
            return out, probs
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        out = self.output_dim or input_shape[-1]
        return tuple(input_shape[:-1]) + (out,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": self.output_dim,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class Attention(Layer):
    """Dot-product attention (Luong-style), as ``keras.layers.Attention``.

    Call on ``[query, value]`` or ``[query, value, key]``; ``mask=[query_mask,
    value_mask]``. ``use_scale`` learns a scalar multiplying the scores;
    ``score_mode="concat"`` is not supported.
    """

    supports_masking = True

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        del seed
        if score_mode != "dot":
            raise ValueError(
                "The reference framework supports score_mode='dot' only. "
                f"Received: score_mode={score_mode!r}"
            )
        self.use_scale, self.score_mode = use_scale, score_mode
        self.dropout = float(dropout)

    def _draws_noise(self) -> bool:
        return self.dropout > 0

    def build(self, input_shape: Any) -> None:
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        self.built = True

    def call(
        self,
        inputs: Any,
        mask: Any = None,
        training: bool | None = None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        e = self._engine
        b = e.b
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask and len(mask) > 1 else None
        scores = b.matmul(q, b.transpose(k, (0, 2, 1)))
        if self.scale is not None:
            scores = b.multiply(scores, self.scale.value)
        dtype = b.dtype(scores)
        keep = None
        if v_mask is not None:
            keep = b.expand_dims(b.cast(v_mask, "bool"), -2)
        if use_causal_mask:
            causal = b.from_numpy(_causal(b.shape(q)[1], b.shape(v)[1]))
            keep = causal if keep is None else b.logical_and(keep, causal)
        if keep is not None:
            big = e.const(65504.0 if dtype == "float16" else 1.0e9, dtype)
            scores = b.where(keep, scores, b.subtract(scores, big))
        weights = b.softmax(scores, -1)
        used = weights
        if training and self.dropout:
            from ._context import current_context

            kept = current_context().dropout_mask(b.shape(weights), 1.0 - self.dropout)  # type: ignore[union-attr]
            used = b.where(
                kept, e.scale(weights, 1.0 / (1.0 - self.dropout)), e.const(0.0, dtype)
            )
        result = b.matmul(used, v)
        if q_mask is not None:
            result = b.multiply(
                result, b.cast(b.expand_dims(b.cast(q_mask, "bool"), -1), dtype)
            )
        if return_attention_scores:
            return result, weights
        return result

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask[0] if isinstance(mask, (list, tuple)) and mask else None

    def compute_output_shape(self, input_shape: Any) -> Any:
        q, v = input_shape[0], input_shape[1]
        return tuple(q[:-1]) + (v[-1],)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
        }
