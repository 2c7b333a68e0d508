"""Building blocks of lifecycle scenarios: `Scenario`, `Stage`, data and checks.

A scenario is an ordered list of named stages; each stage is ``stage(ctx)``,
where ``ctx.backend`` is the :class:`kconform.Backend` under test and
``ctx.state`` a dict the scenario's stages share. A stage fails by raising
``AssertionError`` with a message saying what was expected and received.
``ctx.state["records"]`` collects NumPy arrays for cross-backend parity:

``initial_weights``
    the host-drawn weights (identical on every backend, checked).
``step0_gradients``, ``step0_loss``
    the gradients of the training loss w.r.t. the trainable weights (in
    ``model.trainable_variables`` order), and that loss, at the initial
    weights on the first ``batch_size`` training samples in their given order
    (fit's shuffle not applied), dropout masks host-drawn from ``SEED + 2``;
    taken before ``fit`` changes anything (:func:`record_step0`).
``step_losses``
    the loss of every training step of ``fit``, in order, epochs concatenated.
    ``fit`` reports the *running mean* of the loss over the epoch so far to
    ``on_train_batch_end`` (as Keras does); :func:`step_losses_callback`
    recovers each step's own loss from consecutive means, weighted by batch
    size, in float64.
``epoch_losses``, ``history``, ``final_weights``, ``evaluate``, ``predictions``
    what ``fit``, ``evaluate`` and ``predict`` returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "SEED",
    "Scenario",
    "Stage",
    "check",
    "learnable_data",
    "record",
    "record_step0",
    "same_initial_weights",
    "step_losses_callback",
    "train_size",
]

SEED = 20240601


@dataclass(frozen=True)
class Stage:
    """One named step of a scenario."""

    name: str
    run: Callable[[Any], None]


@dataclass(frozen=True)
class Scenario:
    """A model life-cycle: ``name`` (test id prefix) and ordered ``stages``."""

    name: str
    stages: list[Stage]
    description: str = ""
    requires: tuple[str, ...] = field(default_factory=tuple)

    def stage(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f"scenario {self.name!r} has no stage {name!r}")


def check(condition: Any, message: str) -> None:
    """Fail the stage with ``message`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(message)


def record(ctx: Any, key: str, value: Any) -> None:
    """Keep ``value`` (NumPy arrays, lists, floats) in ``ctx.state["records"]``."""
    records = ctx.state.setdefault("records", {})
    if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
        value = [np.array(v) for v in value]
    elif isinstance(value, np.ndarray):
        value = np.array(value)
    records[key] = value


def learnable_data(
    n: int, shape: tuple[int, ...], classes: int, seed: int = 0, dtype: str = "float32"
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs in [0, 1) and labels a fixed random linear map predicts (learnable)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, *shape), dtype=np.float32).astype(dtype)
    proj = rng.standard_normal((int(np.prod(shape)), classes))
    flat = x.reshape(n, -1).astype("float64")
    y = np.argmax((flat - flat.mean(axis=0)) @ proj, axis=1).astype("int32")
    return x, y


def same_initial_weights(ctx: Any, build: Callable[[Any], Any], model: Any) -> None:
    """Identical initial weights on every backend: each holds the host-drawn values.

    The reference is the same model built again from the same seed, with the
    values its initializers drew on the host recorded before the backend
    received them: no other backend needs to be installed.
    """
    import kconform.framework as keras
    from kconform.framework.variables import recording_host_values

    keras.utils.set_random_seed(SEED)
    with recording_host_values() as drawn:
        reference = build(ctx.backend)
    ours = model.get_weights()
    check(
        len(ours) == len(reference.weights),
        f"expected {len(reference.weights)} weight arrays, received {len(ours)}",
    )
    for i, (a, var) in enumerate(zip(ours, reference.weights)):
        b = drawn.of(var)
        if b is None:  # created from a backend tensor, not drawn on the host
            continue
        check(
            a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b),
            f"initial weight {i} ({model.weights[i].path}) differs from the "
            f"host-drawn value: {_difference(a, b)}",
        )


def _difference(a: np.ndarray, b: np.ndarray) -> str:
    if a.shape != b.shape:
        return f"shape {a.shape}, expected {b.shape}"
    if a.dtype != b.dtype:
        return f"dtype {a.dtype}, expected {b.dtype}"
    return f"max |diff| = {np.max(np.abs(a.astype(float) - b.astype(float)))}"


def train_size(n: int, validation_split: float = 0.0) -> int:
    """Samples ``fit`` trains on: Keras validates on the last ``validation_split``."""
    return int(np.floor(n * (1.0 - validation_split))) if validation_split else n


def _head(data: Any, n: int) -> Any:
    """The first ``n`` samples of an array, or of each array of a list or dict."""
    if isinstance(data, dict):
        return {k: _head(v, n) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_head(v, n) for v in data]
    return data[:n]


def record_step0(ctx: Any, model: Any, x: Any, y: Any, batch_size: int) -> None:
    """Record ``step0_loss`` and ``step0_gradients`` (call before ``fit``).

    The batch is the first ``batch_size`` samples of ``x``/``y`` in their given
    order, the same on every backend; the model's state is left unchanged.
    """
    from kconform.framework.training_utils import loss_and_gradients

    loss, grads = loss_and_gradients(
        model, _head(x, batch_size), _head(y, batch_size), seed=SEED + 2
    )
    names = [v.path for v in model.trainable_variables]
    check(
        len(grads) == len(names),
        f"expected one gradient per trainable weight ({len(names)}), received "
        f"{len(grads)}",
    )
    for name, w, g in zip(names, model.trainable_variables, grads):
        check(
            tuple(g.shape) == tuple(w.shape) and np.isfinite(g).all(),
            f"the gradient of {name} at step 0 has shape {g.shape} (expected "
            f"{tuple(w.shape)}) or non-finite values",
        )
    check(np.isfinite(loss), f"the loss at the initial weights is {loss}")
    record(ctx, "step0_loss", loss)
    record(ctx, "step0_gradients", grads)


def step_losses_callback(n_train: int, batch_size: int) -> Any:
    """A callback whose ``.losses`` are each training step's loss (float64).

    ``fit`` logs the running mean ``m_i`` of the loss over the epoch's first
    ``i + 1`` steps; with ``c_i`` samples seen so far, step ``i``'s loss is
    ``(m_i c_i - m_{i-1} c_{i-1}) / (c_i - c_{i-1})``. ``n_train`` samples per
    epoch in batches of ``batch_size`` (the last one may be smaller).
    """
    import kconform.framework as keras

    class _StepLosses(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.losses: list[float] = []
            self._sum = 0.0
            self._seen = 0

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._sum, self._seen = 0.0, 0

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            size = min(batch_size, n_train - self._seen)
            seen = self._seen + size
            total = float(logs["loss"]) * seen
            self.losses.append((total - self._sum) / size)
            self._sum, self._seen = total, seen

    return _StepLosses()
