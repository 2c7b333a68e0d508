"""Recurrent layers: SimpleRNN, GRU and LSTM (Keras 3 cells, unrolled over time).

Shared by the three (:class:`_RNN`): the time loop, ``go_backwards``,
``return_sequences``, ``return_state``, ``initial_state``, input and
recurrent dropout (one mask per sequence, as Keras), and masking: at a masked
step the state is carried over unchanged and the output repeats the previous
one (zeros with ``zero_output_for_mask``, which ``Bidirectional`` sets when it
returns sequences), exactly as Keras's backends do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, initializers, regularizers
from ._context import current_context
from ._spec import InputSpec
from .core import positive_int
from .layer import Layer

__all__ = ["GRU", "LSTM", "SimpleRNN"]


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


def _rate(value: Any, name: str) -> float:
    if not 0.0 <= value < 1.0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a float in [0, 1). "
            f"Received: {name}={value!r}"
        )
    return float(value)


def run_over_time(
    b: Any,
    inputs: Any,
    states: list[Any],
    step: Any,
    mask: Any,
    go_backwards: bool,
    zero_output_for_mask: bool,
    return_sequences: bool,
    out_size: int,
) -> tuple[Any, list[Any]]:
    """Run ``step(x_t, states) -> (output, states)`` over the time axis.

    At a masked step the states are carried over and the output repeats the
    previous one (zeros with ``zero_output_for_mask``), as Keras's backends do.
    Returns the sequence of outputs (``return_sequences``) or the last one,
    and the final states.
    """
    batch, steps, dim = b.shape(inputs)
    dtype = b.dtype(inputs)
    xs = (
        [b.reshape(x, (batch, dim)) for x in b.split(inputs, steps, 1)] if steps else []
    )
    ms: list[Any] = [None] * len(xs)
    if mask is not None and xs:
        m = b.cast(mask, "bool")
        ms = [b.reshape(t, (batch, 1)) for t in b.split(m, steps, 1)]
    if go_backwards:
        xs, ms = xs[::-1], ms[::-1]
    outputs: list[Any] = []
    zeros = b.zeros((batch, out_size), dtype)
    for x, m in zip(xs, ms):
        out, new_states = step(x, states)
        if m is not None:
            prev = zeros if zero_output_for_mask or not outputs else outputs[-1]
            out = b.where(m, out, prev)
            new_states = [b.where(m, n, s) for n, s in zip(new_states, states)]
        states = list(new_states)
        outputs.append(out)
    if return_sequences:
        seq = b.stack(outputs, 1) if outputs else b.zeros((batch, 0, out_size), dtype)
        return seq, states
    return (outputs[-1] if outputs else states[0]), states


class _RNN(Layer):
    """The time loop around a cell; subclasses define the cell."""

    #: Number of state tensors (h; h and c for LSTM).
    n_states = 1
    #: The output shape does not depend on ``initial_state``.
    _shape_from_inputs_only = True
    #: Number of gates the kernel holds side by side.
    gates = 1

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        seed: int | None = None,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        del unroll, seed, use_cudnn
        if stateful:
            raise ValueError(
                "`stateful=True` is not supported by the reference framework."
            )
        self.units = positive_int(units, "units")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = kernel_constraint
        self.recurrent_constraint = recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout = _rate(dropout, "dropout")
        self.recurrent_dropout = _rate(recurrent_dropout, "recurrent_dropout")
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards = go_backwards
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    def _draws_noise(self) -> bool:
        return bool(self.dropout or self.recurrent_dropout)

    # -- weights ------------------------------------------------------------------
    def _bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        dim, width = input_shape[-1], self.gates * self.units
        self.kernel = self.add_weight(
            shape=(dim, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            name="recurrent_kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(),
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.input_spec = InputSpec(ndim=3, axes={-1: dim})
        self.built = True

    # -- the loop -------------------------------------------------------------------
    def _dropout_mask(self, shape: tuple[int, ...], rate: float, dtype: str) -> Any:
        """Keras's ``dropout(ones_like(x))``: ``1/keep`` where kept, 0 elsewhere."""
        e = self._engine
        keep = 1.0 - rate
        mask = current_context().dropout_mask(shape, keep)  # type: ignore[union-attr]
        scale = float(np.float32(1.0) / np.float32(keep))
        return e.b.where(mask, e.const(scale, dtype), e.const(0.0, dtype))

    def _step(self, x: Any, states: list[Any], dp: Any, rdp: Any) -> tuple[Any, list]:
        raise NotImplementedError

    def _initial_states(self, batch: int, dtype: str, initial_state: Any) -> list[Any]:
        b = self._engine.b
        if initial_state is None:
            return [b.zeros((batch, self.units), dtype) for _ in range(self.n_states)]
        states = (
            list(initial_state)
            if isinstance(initial_state, (list, tuple))
            else [initial_state]
        )
        if len(states) != self.n_states:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects "
                f"{self.n_states} initial state tensor(s); received {len(states)}."
            )
        return [self._engine.cast(s, dtype) for s in states]

    def call(
        self,
        inputs: Any,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        e = self._engine
        b = e.b
        batch, steps, dim = b.shape(inputs)
        dtype = b.dtype(inputs)
        states = self._initial_states(batch, dtype, initial_state)
        dp = (
            self._dropout_mask((batch, dim), self.dropout, dtype)
            if training and self.dropout
            else None
        )
        rdp = (
            self._dropout_mask((batch, self.units), self.recurrent_dropout, dtype)
            if training and self.recurrent_dropout
            else None
        )
        out, states = run_over_time(
            b,
            inputs,
            states,
            lambda x, st: self._step(x, st, dp, rdp),
            mask,
            self.go_backwards,
            self.zero_output_for_mask,
            self.return_sequences,
            self.units,
        )
        return [out, *states] if self.return_state else out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        out = mask if self.return_sequences else None
        return [out] + [None] * self.n_states if self.return_state else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch, steps = input_shape[0], input_shape[1]
        out = (
            (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        )
        if self.return_state:
            return [out] + [(batch, self.units)] * self.n_states
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "zero_output_for_mask": self.zero_output_for_mask,
        }


class SimpleRNN(_RNN):
    """Fully connected recurrence: ``h = activation(x @ kernel + h @ rkernel + b)``."""

    def _step(self, x: Any, states: list[Any], dp: Any, rdp: Any) -> tuple[Any, list]:
        b = self._engine.b
        h = states[0]
        if dp is not None:
            x = b.multiply(x, dp)
        z = b.matmul(x, self.kernel.value)
        if self.bias is not None:
            z = b.add(z, self.bias.value)
        if rdp is not None:
            h = b.multiply(h, rdp)
        out = self.activation(b.add(z, b.matmul(h, self.recurrent_kernel.value)))
        return out, [out]


class GRU(_RNN):
    """Gated recurrent unit (Cho et al., 2014), Keras 3's cell.

    Gates ``z, r`` and candidate ``hh``; ``h = z * h + (1 - z) * hh``. With
    ``reset_after=True`` (the default, cuDNN-compatible) the reset gate is
    applied after the recurrent matmul and the bias has two rows (input,
    recurrent).

    Args:
        units, activation, recurrent_activation ("sigmoid"), use_bias,
        reset_after, dropout, recurrent_dropout, return_sequences,
        return_state, go_backwards: as in Keras.
    """

    gates = 3

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        reset_after: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self) -> tuple[int, ...]:
        width = 3 * self.units
        return (2, width) if self.reset_after else (width,)

    def _step(self, x: Any, states: list[Any], dp: Any, rdp: Any) -> tuple[Any, list]:
        b = self._engine.b
        u = self.units
        h = states[0]
        in_bias = rec_bias = None
        if self.bias is not None:
            if self.reset_after:
                in_bias, rec_bias = (
                    b.reshape(t, (3 * u,)) for t in b.split(self.bias.value, 2, 0)
                )
            else:
                in_bias = self.bias.value
        if dp is not None:
            x = b.multiply(x, dp)
        mx = b.matmul(x, self.kernel.value)
        if in_bias is not None:
            mx = b.add(mx, in_bias)
        x_z, x_r, x_h = b.split(mx, 3, 1)
        h_in = b.multiply(h, rdp) if rdp is not None else h
        rk = self.recurrent_kernel.value
        if self.reset_after:
            inner = b.matmul(h_in, rk)
            if rec_bias is not None:
                inner = b.add(inner, rec_bias)
            r_z, r_r, r_h = b.split(inner, 3, 1)
        else:
            rk_zr, rk_h = b.split(rk, (2 * u,), 1)
            r_z, r_r = b.split(b.matmul(h_in, rk_zr), 2, 1)
        z = self.recurrent_activation(b.add(x_z, r_z))
        r = self.recurrent_activation(b.add(x_r, r_r))
        if self.reset_after:
            rec_h = b.multiply(r, r_h)
        else:
            rec_h = b.matmul(b.multiply(r, h_in), rk_h)
        hh = self.activation(b.add(x_h, rec_h))
        one = self._engine.const(1.0, b.dtype(z))
        out = b.add(b.multiply(z, h), b.multiply(b.subtract(one, z), hh))
        return out, [out]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


class LSTM(_RNN):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997).

    Per step: ``z = x_t @ kernel + h @ recurrent_kernel + bias``, split into
    gates ``i, f, c~, o``; ``c = f * c + i * activation(c~)``,
    ``h = o * activation(c)`` (gates use ``recurrent_activation``).
    ``return_state`` returns ``[output, h, c]``; ``initial_state=[h, c]``.
    """

    n_states = 2
    gates = 4

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        unit_forget_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    def _bias_initializer(self) -> Any:
        if self.unit_forget_bias:
            return _UnitForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    def _step(self, x: Any, states: list[Any], dp: Any, rdp: Any) -> tuple[Any, list]:
        b = self._engine.b
        h, c = states
        if dp is not None:
            x = b.multiply(x, dp)
        h_in = b.multiply(h, rdp) if rdp is not None else h
        z = b.add(
            b.matmul(x, self.kernel.value), b.matmul(h_in, self.recurrent_kernel.value)
        )
        if self.bias is not None:
            z = b.add(z, self.bias.value)
        z0, z1, z2, z3 = b.split(z, 4, 1)
        i = self.recurrent_activation(z0)
        f = self.recurrent_activation(z1)
        c = b.add(b.multiply(f, c), b.multiply(i, self.activation(z2)))
        o = self.recurrent_activation(z3)
        h = b.multiply(o, self.activation(c))
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
