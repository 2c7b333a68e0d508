"""The call context: training flag, randomness and extra losses of one forward pass.

Randomness (dropout masks) is drawn on the host and fed in as tensors, so a
compiled train step stays pure and every backend sees the same masks. The
trainer first *plans* the masks a batch needs (a dry forward pass that records
each request), then passes freshly drawn masks to every step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from kconform.errors import KconformError

from ..utils import rng as _rng

__all__ = ["CallContext", "NoisePlan", "call_context", "current_context"]

_local = threading.local()


def _host_draw(
    gen: np.random.Generator, kind: str, shape: tuple[int, ...], param: float
) -> np.ndarray:
    """A mask (``uniform < keep_prob``, as Keras) or standard normal noise."""
    if kind == "mask":
        return gen.random(shape, dtype=np.float32) < param
    return gen.standard_normal(shape, dtype=np.float32) * np.float32(param)


class NoisePlan:
    """Records the randomness a forward pass asks for: ``(kind, shape, param)``.

    ``kind`` is ``"mask"`` (``param``: the keep probability) or ``"normal"``
    (``param``: the standard deviation).
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, tuple[int, ...], float]] = []

    def draw(self, gen: np.random.Generator) -> list[np.ndarray]:
        """Host-draw everything planned, in the order it was asked for."""
        return [_host_draw(gen, *request) for request in self.requests]


class CallContext:
    """What a forward pass shares with every layer it calls.

    Args:
        training: Whether layers run in training mode (dropout, batch statistics).
        engine: The engine tensors are made on.
        masks: Pre-drawn mask tensors, consumed in order; None to draw on the spot.
        plan: A :class:`NoisePlan` to record requests in (planning pass).
    """

    def __init__(
        self,
        training: bool | None,
        engine: Any,
        masks: list[Any] | None = None,
        plan: NoisePlan | None = None,
    ) -> None:
        self.training = training
        self.engine = engine
        self.masks = masks
        self.plan = plan
        self.losses: list[Any] = []
        self._next = 0

    def dropout_mask(self, shape: tuple[int, ...], keep_prob: float) -> Any:
        """A bool mask tensor of ``shape``, True with probability ``keep_prob``."""
        return self._draw("mask", shape, keep_prob)

    def normal_noise(self, shape: tuple[int, ...], stddev: float) -> Any:
        """A float32 tensor of ``shape`` drawn from ``N(0, stddev**2)``."""
        return self._draw("normal", shape, stddev)

    def _draw(self, kind: str, shape: tuple[int, ...], param: float) -> Any:
        shape = tuple(int(d) for d in shape)
        if self.masks is not None:
            if self._next >= len(self.masks):
                raise KconformError(
                    "A layer asked for randomness that the train step did not plan "
                    "(its forward pass is not the same from one call to the next, "
                    "or the layer does not say it draws noise: override "
                    "`Layer._draws_noise`). Compile with `jit_compile=False` for "
                    "such models."
                )
            mask = self.masks[self._next]
            self._next += 1
            return mask
        if self.plan is not None:
            self.plan.requests.append((kind, shape, param))
        host = _host_draw(_rng.host_rng(), kind, shape, param)
        return self.engine.b.from_numpy(host)


def current_context() -> CallContext | None:
    """The innermost call context, if a forward pass is running."""
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


@contextmanager
def call_context(ctx: CallContext) -> Iterator[CallContext]:
    """Run a forward pass under ``ctx``."""
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(ctx)
    try:
        yield ctx
    finally:
        stack.pop()
