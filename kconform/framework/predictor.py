"""``predict`` and ``predict_on_batch``: a model's outputs on data, as NumPy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _tree
from ._steps import PredictStep
from .data_adapter import make_data
from .progbar import Progbar
from .training_utils import jit_by_default, verbose_level

__all__ = ["Predictor"]


class Predictor:
    """Mixin of :class:`Model`: inference in batches, compiled like the train step."""

    _predict: PredictStep | None

    # -- predict -----------------------------------------------------------------------
    def _predict_step(self) -> PredictStep:
        key = (
            tuple(map(id, self.trainable_variables)),
            tuple(map(id, self.non_trainable_variables)),
        )  # type: ignore[attr-defined]
        if self._predict is None or self._predict.key != key:
            jit = (
                self._jit_mode()
                if self.compiled
                # type: ignore[attr-defined]
                else (self.engine.can_jit and jit_by_default(self.engine) and "auto")
            )  # type: ignore[attr-defined]
            self._predict = PredictStep(self, jit)
        return self._predict

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: list[Any] | None = None,
    ) -> Any:
        """Return the model's outputs on ``x`` as NumPy arrays (batched)."""
        verbose = verbose_level(verbose)
        engine = self.engine  # type: ignore[attr-defined]
        data = make_data(x, None, None, batch_size, False, steps, engine)
        first = data.first_batch()
        self._ensure_built(first[0])
        step = self._predict_step()
        outputs: list[Any] = []
        for batch in data.epoch(None):
            xb = _tree.map_structure(engine.tensor, batch[0])
            outputs.append(_tree.map_structure(engine.numpy, step(xb)))
        if not outputs:
            raise ValueError("The prediction data produced no batch.")
        flat = [_tree.flatten(o) for o in outputs]
        joined = [
            np.concatenate([f[i] for f in flat], axis=0) for i in range(len(flat[0]))
        ]
        if verbose:
            Progbar(len(outputs), verbose=2 if verbose == 2 else 1).update(
                len(outputs), {}, finalize=True
            )
        del callbacks
        return _tree.pack_like(outputs[0], joined)

    def predict_on_batch(self, x: Any) -> Any:
        """Outputs for one batch, as NumPy arrays."""
        engine = self.engine  # type: ignore[attr-defined]
        xs = _tree.map_structure(
            lambda a: engine.tensor(np.asarray(a)) if not engine.b.is_tensor(a) else a,
            x,
        )
        self._ensure_built(
            _tree.map_structure(lambda a: np.zeros(engine.b.shape(a)), xs)
        )
        return _tree.map_structure(engine.numpy, self._predict_step()(xs))
