"""Recurrent cells and the generic ``RNN`` layer that runs them over time.

``SimpleRNNCell``, ``GRUCell`` and ``LSTMCell`` compute one step exactly as
the ``SimpleRNN``, ``GRU`` and ``LSTM`` layers do (they share the step), so
``RNN(LSTMCell(n))`` equals ``LSTM(n)`` weight for weight. ``RNN`` also runs
a user's cell: any layer with ``state_size`` and ``call(inputs, states)``
returning ``(output, new_states)``, and ``StackedRNNCells`` (or a list of
cells) runs several in sequence per step. Masking and ``go_backwards``
behave as in the recurrent layers.
"""

from __future__ import annotations

from typing import Any

from .. import _tree
from ._spec import InputSpec
from .layer import Layer
from .recurrent import GRU, LSTM, SimpleRNN, run_over_time

__all__ = ["GRUCell", "LSTMCell", "RNN", "SimpleRNNCell", "StackedRNNCells"]


class _Cell:
    """Mixin: a recurrent layer's step as a cell (2-D inputs, explicit states)."""

    n_states: int
    units: int

    def build(self, input_shape: Any) -> None:
        super().build((None, None, input_shape[-1]))  # type: ignore[misc]
        self.input_spec = None

    @property
    def state_size(self) -> Any:
        return [self.units] * self.n_states if self.n_states > 1 else self.units

    @property
    def output_size(self) -> int:
        return self.units

    def sequence_masks(self, batch: int, dim: int, dtype: str, training: Any) -> tuple:
        """The dropout masks of one sequence (drawn once, as Keras does)."""
        dp = (
            self._dropout_mask((batch, dim), self.dropout, dtype)  # type: ignore[attr-defined]
            if training and self.dropout  # type: ignore[attr-defined]
            else None
        )
        rdp = (
            self._dropout_mask((batch, self.units), self.recurrent_dropout, dtype)  # type: ignore[attr-defined]
            if training and self.recurrent_dropout  # type: ignore[attr-defined]
            else None
        )
        return dp, rdp

    def call(self, inputs: Any, states: Any, training: bool | None = None) -> Any:
        b = self._engine.b  # type: ignore[attr-defined]
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        batch, dim = b.shape(inputs)
        dp, rdp = self.sequence_masks(batch, dim, b.dtype(inputs), training)
        out, new_states = self._step(inputs, states, dp, rdp)  # type: ignore[attr-defined]
        return out, new_states

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], self.units)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()  # type: ignore[misc]
        for key in ("return_sequences", "return_state", "go_backwards"):
            config.pop(key, None)
        config.pop("zero_output_for_mask", None)
        return config


class SimpleRNNCell(_Cell, SimpleRNN):
    """One step of ``SimpleRNN``: ``h = activation(x @ kernel + h @ rkernel + b)``."""


class GRUCell(_Cell, GRU):
    """One step of ``GRU`` (``reset_after=True`` by default)."""


class LSTMCell(_Cell, LSTM):
    """One step of ``LSTM``; its state is ``[h, c]``."""


def _sizes(state_size: Any) -> list[int]:
    return [int(s) for s in _tree.flatten(state_size)]


class StackedRNNCells(Layer):
    """Run ``cells`` one after the other within each time step."""

    def __init__(self, cells: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(
                    "All cells must have a `call` method and a `state_size` "
                    f"attribute. Received cell {cell!r}"
                )
        self.cells = list(cells)

    @property
    def state_size(self) -> list[int]:
        return [s for c in self.cells for s in _sizes(c.state_size)]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        return getattr(last, "output_size", _sizes(last.state_size)[0])

    def build(self, input_shape: Any) -> None:
        dim = input_shape[-1]
        for cell in self.cells:
            cell._build_once((None, dim))
            dim = getattr(cell, "output_size", _sizes(cell.state_size)[0])
        self.built = True

    def call(self, inputs: Any, states: Any, training: bool | None = None) -> Any:
        states = list(states)
        new_states: list[Any] = []
        x = inputs
        for cell in self.cells:
            n = len(_sizes(cell.state_size))
            mine, states = states[:n], states[n:]
            x, out_states = _run_cell(cell, x, mine, training)
            new_states.extend(out_states)
        return x, new_states

    def get_config(self) -> dict[str, Any]:
        from ..saving.serialization import serialize_layer

        return {
            **super().get_config(),
            "cells": [serialize_layer(c) for c in self.cells],
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: Any = None
    ) -> StackedRNNCells:
        from ..saving.serialization import deserialize_layer

        config = dict(config)
        cells = [deserialize_layer(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


def _run_cell(cell: Any, x: Any, states: list[Any], training: Any) -> tuple:
    """One step of ``cell``: its output and its new states as a list."""
    kwargs = {}
    from ._layer_utils import call_takes

    if call_takes(type(cell), "training"):
        kwargs["training"] = training
    out, new_states = (
        cell(x, states, **kwargs)
        if not isinstance(cell, _Cell)
        else cell.call(x, states, **kwargs)
    )
    if not isinstance(new_states, (list, tuple)):
        new_states = [new_states]
    return out, list(new_states)


class RNN(Layer):
    """Run a cell over the time axis of ``(batch, time, features)`` inputs.

    Args:
        cell: A cell (``LSTMCell(8)``, a user's cell, ``StackedRNNCells``) or a
            list of cells (stacked).
        return_sequences, return_state, go_backwards, zero_output_for_mask:
            as in the recurrent layers.
    """

    supports_masking = True
    _shape_from_inputs_only = True

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        del unroll
        if stateful:
            raise ValueError(
                "`stateful=True` is not supported by the reference framework."
            )
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(
                "Argument `cell` should have a `call` method and a `state_size` "
                f"attribute. Received: cell={cell!r}"
            )
        self.cell = cell
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards = go_backwards
        self.zero_output_for_mask = zero_output_for_mask
        self.input_spec = InputSpec(ndim=3)

    def _draws_noise(self) -> bool:
        cells = (
            self.cell.cells if isinstance(self.cell, StackedRNNCells) else [self.cell]
        )
        return any(c._draws_noise() for c in cells if isinstance(c, Layer))

    @property
    def _out_size(self) -> int:
        return getattr(self.cell, "output_size", _sizes(self.cell.state_size)[0])

    def build(self, input_shape: Any) -> None:
        self.cell._build_once((None, input_shape[-1]))
        self.built = True

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
        sizes = _sizes(self.cell.state_size)
        if initial_state is None:
            states = [b.zeros((batch, n), dtype) for n in sizes]
        else:
            states = [e.cast(s, dtype) for s in _tree.flatten(initial_state)]
            if len(states) != len(sizes):
                raise ValueError(
                    f"Layer '{self.name}' expects {len(sizes)} initial state "
                    f"tensor(s); received {len(states)}."
                )
        step = self._stepper(batch, dim, dtype, training)
        out, states = run_over_time(
            b,
            inputs,
            states,
            step,
            mask,
            self.go_backwards,
            self.zero_output_for_mask,
            self.return_sequences,
            self._out_size,
        )
        return [out, *states] if self.return_state else out

    def _stepper(self, batch: int, dim: int, dtype: str, training: Any) -> Any:
        """A step function; a built-in cell's dropout masks are drawn once here."""
        cell = self.cell
        if isinstance(cell, _Cell):
            dp, rdp = cell.sequence_masks(batch, dim, dtype, training)
            return lambda x, states: cell._step(x, states, dp, rdp)  # type: ignore[attr-defined]
        return lambda x, states: _run_cell(cell, x, states, training)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        out = mask if self.return_sequences else None
        n = len(_sizes(self.cell.state_size))
        return [out] + [None] * n if self.return_state else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch, steps = input_shape[0], input_shape[1]
        out = (
            (batch, steps, self._out_size)
            if self.return_sequences
            else (batch, self._out_size)
        )
        if self.return_state:
            return [out] + [(batch, n) for n in _sizes(self.cell.state_size)]
        return out

    def get_config(self) -> dict[str, Any]:
        from ..saving.serialization import serialize_layer

        return {
            **super().get_config(),
            "cell": serialize_layer(self.cell),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "zero_output_for_mask": self.zero_output_for_mask,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> RNN:
        from ..saving.serialization import deserialize_layer

        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects)
        return cls(cell, **config)
