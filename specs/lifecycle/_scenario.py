"""Building blocks of lifecycle scenarios: `Scenario`, `Stage`, data and checks.

A scenario is an ordered list of named stages; each stage is ``stage(ctx)``,
where ``ctx.backend`` is the :class:`kconform.Backend` under test and
``ctx.state`` a dict the scenario's stages share. A stage fails by raising
``AssertionError`` with a message saying what was expected and received.
``ctx.state["records"]`` collects NumPy arrays (initial and final weights,
per-epoch losses, predictions) for cross-backend parity.
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
    "same_initial_weights",
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
    """Identical initial weights on every backend: compare with the host-built model."""
    import kconform.framework as keras

    keras.utils.set_random_seed(SEED)
    reference = build("numpy")
    ours = model.get_weights()
    theirs = reference.get_weights()
    check(
        len(ours) == len(theirs),
        f"expected {len(theirs)} weight arrays, received {len(ours)}",
    )
    for i, (a, b) in enumerate(zip(ours, theirs)):
        check(
            a.shape == b.shape and np.array_equal(a, b),
            f"initial weight {i} ({model.weights[i].path}) differs from the "
            "host-drawn value: "
            "max |diff| = "
            f"{np.max(np.abs(a - b)) if a.shape == b.shape else a.shape}",
        )
