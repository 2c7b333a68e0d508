"""Recurrent layers: LSTM (Keras 3's fused cell, unrolled over the time axis)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, initializers, regularizers
from ._context import current_context
from ._spec import InputSpec
from .core import positive_int
from .layer import Layer

__all__ = ["LSTM"]


class _UnitForgetBias(initializers.Initializer):
    """Zeros-style bias with ones for the forget gate (``unit_forget_bias=True``)."""

    def __init__(self, base: initializers.Initializer, units: int) -> None:
        self.base, self.units = base, units

    def __call__(self, shape, dtype=None):
        u = self.units
        return np.concatenate(
            [
                self.base((u,), dtype),
                initializers.Ones()((u,), dtype),
                self.base((2 * u,), dtype),
            ]
        )


class LSTM(Layer):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997).

    Per step: ``z = x_t @ kernel + h @ recurrent_kernel + bias``, split into
    gates ``i, f, c~, o``; ``c = f * c + i * activation(c~)``,
    ``h = o * activation(c)`` (gates use ``recurrent_activation``).

    Args:
        units: Size of the hidden state.
        activation: Defaults to ``"tanh"``.
        recurrent_activation: Defaults to ``"sigmoid"``.
        use_bias: Defaults to ``True``.
        kernel_initializer: Defaults to ``"glorot_uniform"``.
        recurrent_initializer: Defaults to ``"orthogonal"``.
        bias_initializer: Defaults to ``"zeros"``.
        unit_forget_bias: Add 1 to the forget gate's bias at initialization.
        dropout: Fraction of the inputs to drop (one mask per sequence).
        recurrent_dropout: Fraction of the hidden state to drop.
        return_sequences: Return the whole sequence of outputs, not the last.
        return_state: Also return the final ``h`` and ``c``.
        go_backwards: Process the sequence backwards.

    Input shape: ``(batch, timesteps, features)``.
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if stateful:
            raise ValueError(
                "`stateful=True` is not supported by the reference framework."
            )
        for name, rate in (
            ("dropout", dropout),
            ("recurrent_dropout", recurrent_dropout),
        ):
            if not 0.0 <= rate < 1.0:
                raise ValueError(
                    f"Received an invalid value for `{name}`, expected a float in "
                    f"[0, 1). Received: {name}={rate!r}"
                )
        self.units = positive_int(units, "units")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = use_bias, unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards = go_backwards
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape: Any) -> None:
        dim, u = input_shape[-1], self.units
        self.kernel = self.add_weight(
            shape=(dim, 4 * u),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(u, 4 * u),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            name="recurrent_kernel",
        )
        self.bias = None
        if self.use_bias:
            init = (
                _UnitForgetBias(self.bias_initializer, u)
                if self.unit_forget_bias
                else self.bias_initializer
            )
            self.bias = self.add_weight(
                shape=(4 * u,),
                initializer=init,
                regularizer=self.bias_regularizer,
                name="bias",
            )
        self.input_spec = InputSpec(ndim=3, axes={-1: dim})
        self.built = True

    def _mask(self, shape: tuple[int, ...], rate: float, dtype: str) -> Any:
        """Keras's ``dropout(ones_like(x))``: ``1/keep`` where kept, 0 elsewhere."""
        e = self._engine
        keep = 1.0 - rate
        mask = current_context().dropout_mask(shape, keep)  # type: ignore[union-attr]
        scale = float(np.float32(1.0) / np.float32(keep))
        return e.b.where(mask, e.const(scale, dtype), e.const(0.0, dtype))

    def call(
        self, inputs: Any, training: bool | None = None, initial_state: Any = None
    ) -> Any:
        e = self._engine
        b = e.b
        batch, steps, dim = b.shape(inputs)
        dtype = b.dtype(inputs)
        if initial_state is None:
            h = b.zeros((batch, self.units), dtype)
            c = b.zeros((batch, self.units), dtype)
        else:
            h, c = initial_state
        dp = (
            self._mask((batch, dim), self.dropout, dtype)
            if training and self.dropout
            else None
        )
        rdp = (
            self._mask((batch, self.units), self.recurrent_dropout, dtype)
            if training and self.recurrent_dropout
            else None
        )
        kernel, rkernel = self.kernel.value, self.recurrent_kernel.value
        bias = self.bias.value if self.bias is not None else None
        xs = (
            [b.reshape(x, (batch, dim)) for x in b.split(inputs, steps, 1)]
            if steps
            else []
        )
        if self.go_backwards:
            xs = xs[::-1]
        outputs = []
        for x in xs:
            if dp is not None:
                x = b.multiply(x, dp)
            h_in = b.multiply(h, rdp) if rdp is not None else h
            z = b.add(b.matmul(x, kernel), b.matmul(h_in, rkernel))
            if bias is not None:
                z = b.add(z, bias)
            z0, z1, z2, z3 = b.split(z, 4, 1)
            i = self.recurrent_activation(z0)
            f = self.recurrent_activation(z1)
            c = b.add(b.multiply(f, c), b.multiply(i, self.activation(z2)))
            o = self.recurrent_activation(z3)
            h = b.multiply(o, self.activation(c))
            outputs.append(h)
        if self.return_sequences:
            out = (
                b.stack(outputs, 1)
                if outputs
                else b.zeros((batch, 0, self.units), dtype)
            )
        else:
            out = h
        return [out, h, c] if self.return_state else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch, steps = input_shape[0], input_shape[1]
        out = (
            (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        )
        if self.return_state:
            return [out, (batch, self.units), (batch, self.units)]
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
        }
