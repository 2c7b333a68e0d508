"""A hand-written loop training the seeds' MLP in backend ops: ``fit``'s baseline.

It does the same work as ``model.fit`` with ``metrics=["accuracy"]``: forward,
sparse crossentropy from logits (Keras's definition), gradients with
``value_and_grad``, Keras's RMSprop update, and running sums of the loss and
of correct predictions; with the same host-side data handling (a permutation
per epoch, fancy-indexed batches, ``from_numpy``). It is compiled with the
backend's ``jit`` when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["HandLoop"]


class HandLoop:
    """The seeds' MLP (784-64-10) trained by hand with RMSprop (Keras defaults)."""

    def __init__(self, backend: Any, weights: list[np.ndarray], jit: bool) -> None:
        self.b = b = backend
        self.params = [b.from_numpy(np.asarray(w, "float32")) for w in weights]
        self.velocity = [b.zeros(tuple(w.shape), "float32") for w in weights]
        c = {
            v: b.from_numpy(np.asarray(v, "float32"))
            for v in (0.001, 0.9, 1 - 0.9, 1e-7, 0.0)
        }
        self.c = c
        vg = b.value_and_grad(self._loss, True)

        def step(
            params: list[Any], velocity: list[Any], sums: list[Any], x: Any, y: Any
        ) -> Any:
            (loss, correct), grads = vg(params, x, y)
            new_p, new_v = [], []
            for p, v, g in zip(params, velocity, grads):
                v = b.add(b.multiply(c[0.9], v), b.multiply(c[1 - 0.9], b.square(g)))
                p = b.subtract(
                    p, b.divide(b.multiply(c[0.001], g), b.sqrt(b.add(v, c[1e-7])))
                )
                new_p.append(p)
                new_v.append(v)
            bs = b.full((), float(b.shape(x)[0]), "float32")
            new_sums = [
                b.add(sums[0], b.multiply(loss, bs)),
                b.add(sums[1], correct),
                b.add(sums[2], bs),
            ]
            return new_p, new_v, new_sums

        self.step: Callable[..., Any] = b.jit(step) if jit else step

    def _loss(self, params: list[Any], x: Any, y: Any) -> Any:
        b = self.b
        w1, b1, w2, b2 = params
        h = b.relu(b.add(b.matmul(x, w1), b1))
        logits = b.add(b.matmul(h, w2), b2)
        onehot = b.one_hot(y, 10, "float32")
        per_sample = b.negative(
            b.sum(b.multiply(onehot, b.log_softmax(logits, -1)), -1)
        )
        n = b.shape(per_sample)[0]
        loss = b.divide(b.sum(per_sample), b.full((), float(n), "float32"))
        correct = b.sum(b.cast(b.equal(b.argmax(logits, -1), y), "float32"))
        return loss, correct

    def epoch(
        self, x: np.ndarray, y: np.ndarray, batch_size: int, gen: np.random.Generator
    ) -> tuple[float, float]:
        """One shuffled epoch; returns (mean loss, accuracy)."""
        b = self.b
        sums = [b.zeros((), "float32") for _ in range(3)]
        perm = gen.permutation(len(x))
        params, velocity = self.params, self.velocity
        for start in range(0, len(x), batch_size):
            idx = perm[start : start + batch_size]
            xb, yb = b.from_numpy(x[idx]), b.from_numpy(y[idx])
            params, velocity, sums = self.step(params, velocity, sums, xb, yb)
        self.params, self.velocity = params, velocity
        total, correct, count = (float(b.to_numpy(s)) for s in sums)
        return total / count, correct / count
