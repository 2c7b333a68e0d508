"""Metrics whose state has one entry per class: FBetaScore, F1Score, R2Score.

Their variables are made once the output's width is known: ``compile``
builds them from the first batch's shapes (``Metric.build``), a standalone
metric on its first ``update_state``; then they are Keras 3's definitions.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import losses
from .metrics import Metric

__all__ = ["F1Score", "FBetaScore", "R2Score"]

#: Keras's ``backend.epsilon()``.
EPSILON = 1e-7


def _two_d(name: str, ts: tuple, ps: tuple) -> int:
    if len(ps) != 2 or len(ts) != 2 or ps[-1] is None:
        raise ValueError(
            f"{name} expects 2D inputs with shape (batch_size, output_dim). Received "
            f"input shapes: y_pred.shape={ps} and y_true.shape={ts}."
        )
    return int(ps[-1])


class FBetaScore(Metric):
    """F-beta score per class, or averaged (``"micro"``, ``"macro"``, ``"weighted"``).

    Predictions count as positive above ``threshold`` (default: the row's
    maximum, as Keras).
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: str | None = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', "
                f"'macro', 'weighted'}}. Received: average={average}"
            )
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(
                f"`beta` must be a positive Python float. Received: {beta!r}"
            )
        if threshold is not None and (
            not isinstance(threshold, float) or not 0.0 < threshold <= 1.0
        ):
            raise ValueError(
                f"`threshold` must be a float in (0, 1]. Received: {threshold!r}"
            )
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def build(self, y_true_shape: Any, y_pred_shape: Any) -> None:
        if self._built:
            return
        classes = _two_d("FBetaScore", tuple(y_true_shape), tuple(y_pred_shape))
        shape = () if self.average == "micro" else (classes,)
        for name in ("true_positives", "false_positives", "false_negatives"):
            setattr(self, name, self.add_variable(shape=shape, name=name))
        self.intermediate_weights = self.add_variable(
            shape=shape, name="intermediate_weights"
        )
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        b = e.b
        y_true = e.cast(e.tensor(y_true), self.dtype)
        y_pred = e.cast(e.tensor(y_pred), self.dtype)
        self.build(b.shape(y_true), b.shape(y_pred))
        if self.threshold is None:
            top = b.max(y_pred, -1, True)
            hit = b.logical_and(
                b.greater_equal(y_pred, top),
                b.greater(b.abs(y_pred), e.const(1e-9, self.dtype)),
            )
        else:
            hit = b.greater(y_pred, e.const(self.threshold, self.dtype))
        pred = b.cast(hit, self.dtype)
        one = e.const(1.0, self.dtype)
        weight = None
        if sample_weight is not None:
            weight = b.expand_dims(e.cast(e.tensor(sample_weight), self.dtype), 1)

        def total(value: Any) -> Any:
            if weight is not None:
                value = b.multiply(value, weight)
            return b.sum(value, self.axis)

        for var, value in (
            (self.true_positives, b.multiply(pred, y_true)),
            (self.false_positives, b.multiply(pred, b.subtract(one, y_true))),
            (self.false_negatives, b.multiply(b.subtract(one, pred), y_true)),
            (self.intermediate_weights, y_true),
        ):
            var.assign(b.add(var.value, total(value)))

    def result(self) -> Any:
        e = self._ensure_bound()
        b = e.b
        eps = e.const(EPSILON, self.dtype)
        tp, fp = self.true_positives.value, self.false_positives.value
        fn = self.false_negatives.value
        precision = b.divide(tp, b.add(b.add(tp, fp), eps))
        recall = b.divide(tp, b.add(b.add(tp, fn), eps))
        beta2 = self.beta**2
        mean = b.divide(
            b.multiply(precision, recall),
            b.add(b.add(e.scale(precision, beta2), recall), eps),
        )
        score = e.scale(mean, 1.0 + beta2)
        if self.average == "weighted":
            w = self.intermediate_weights.value
            weights = b.divide(w, b.add(b.sum(w), eps))
            return b.sum(b.multiply(score, weights))
        if self.average is not None:
            return b.mean(score)
        return score

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """F1 score: the F-beta score with ``beta=1``."""

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: str | None = None,
    ) -> None:
        super().__init__(average, 1.0, threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("beta")
        return config


class R2Score(Metric):
    """Coefficient of determination per output, aggregated as Keras does
    (``"uniform_average"``, ``"variance_weighted_average"`` or None), adjusted
    for ``num_regressors``."""

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: str | None = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (
            None,
            "uniform_average",
            "variance_weighted_average",
        ):
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                "{None, 'uniform_average', 'variance_weighted_average'}. Received: "
                f"class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                f"`num_regressors` must be >= 0. Received: {num_regressors}"
            )
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable(shape=(), name="num_samples")
        self._built = False

    def build(self, y_true_shape: Any, y_pred_shape: Any) -> None:
        if self._built:
            return
        classes = _two_d("R2Score", tuple(y_true_shape), tuple(y_pred_shape))
        self.squared_sum = self.add_variable(shape=(classes,), name="squared_sum")
        self.sum = self.add_variable(shape=(classes,), name="sum")
        self.total_mse = self.add_variable(shape=(classes,), name="residual")
        self.count = self.add_variable(shape=(classes,), name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        b = e.b
        y_true = e.cast(e.tensor(y_true), self.dtype)
        y_pred = e.cast(e.tensor(y_pred), self.dtype)
        y_true, y_pred = losses._same_rank(e, y_true, y_pred)
        self.build(b.shape(y_true), b.shape(y_pred))
        if sample_weight is None:
            weight = b.ones(b.shape(y_true), self.dtype)
        else:
            weight = e.cast(e.tensor(sample_weight), self.dtype)
            if len(b.shape(weight)) == 1:
                weight = b.expand_dims(weight, 1)
            weight = b.broadcast_to(weight, b.shape(y_true))
        weighted = b.multiply(y_true, weight)
        residual = b.multiply(b.square(b.subtract(y_true, y_pred)), weight)
        for var, value in (
            (self.sum, weighted),
            (self.squared_sum, b.multiply(y_true, weighted)),
            (self.total_mse, residual),
            (self.count, weight),
        ):
            var.assign(b.add(var.value, b.sum(value, 0)))
        size = 1
        for d in b.shape(y_true):
            size *= d
        self.num_samples.assign(
            b.add(self.num_samples.value, e.const(float(size), self.dtype))
        )

    def result(self) -> Any:
        e = self._ensure_bound()
        b = e.b
        s, count = self.sum.value, self.count.value
        mean = b.divide(s, count)
        total = b.subtract(self.squared_sum.value, b.multiply(s, mean))
        raw = b.subtract(
            e.const(1.0, self.dtype), b.divide(self.total_mse.value, total)
        )
        raw = b.where(b.isinf(raw), e.const(0.0, self.dtype), raw)
        if self.class_aggregation == "uniform_average":
            score = b.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = b.divide(b.sum(b.multiply(total, raw)), b.sum(total))
        else:
            score = raw
        if self.num_regressors:
            n = float(e.numpy(self.num_samples.value))
            p = float(self.num_regressors)
            if p >= n - 1:
                warnings.warn(
                    "More independent predictors than datapoints (or as many) in "
                    "adjusted R2 score. Falling back to standard R2 score.",
                    stacklevel=2,
                )
            else:
                one = e.const(1.0, self.dtype)
                num = e.scale(b.subtract(one, score), n - 1.0)
                score = b.subtract(one, b.divide(num, e.const(n - p - 1.0, self.dtype)))
        return score

    def reset_state(self) -> None:
        for v in self._variables:
            v.assign(v.numpy() * 0)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
