"""Confusion-matrix metrics: Precision, Recall, the counts, and AUC (Keras 3).

Predictions above a threshold count as positive (``y_pred > threshold``);
labels are positive where ``y_true`` is nonzero; every entry of ``y_true``
is one example (``multi_label=False``), weighted by ``sample_weight``
broadcast to ``y_true``'s shape. AUC accumulates the four counts at
``num_thresholds`` thresholds spread evenly over ``[0, 1]`` (the ends pushed
out by ``1e-7``) and integrates the ROC or PR curve as Keras does
(``"interpolation"``, ``"minoring"``, ``"majoring"``; PR interpolation by
Davis & Goadrich).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import losses
from ._engine import Engine
from .metrics import Metric

__all__ = [
    "AUC",
    "FalseNegatives",
    "FalsePositives",
    "Precision",
    "Recall",
    "TrueNegatives",
    "TruePositives",
]

_KINDS = ("tp", "fp", "tn", "fn")


def _counts(
    e: Engine,
    y_true: Any,
    y_pred: Any,
    thresholds: np.ndarray,
    sample_weight: Any,
    from_logits: bool = False,
) -> dict[str, Any]:
    """Weighted ``tp, fp, tn, fn`` at each threshold (each of shape ``(T,)``)."""
    b = e.b
    y_true, y_pred = e.tensor(y_true), e.tensor(y_pred)
    y_pred = e.cast(y_pred, "float32")
    if from_logits:
        y_pred = b.sigmoid(y_pred)
    y_true, y_pred = losses._same_rank(e, y_true, y_pred)
    label = b.not_equal(y_true, e.const(0, b.dtype(y_true)))
    shape = b.shape(y_pred)
    if sample_weight is None:
        weight = b.ones(shape, "float32")
    else:
        w = e.cast(e.tensor(sample_weight), "float32")
        while len(b.shape(w)) < len(shape):
            w = b.expand_dims(w, -1)
        weight = b.broadcast_to(w, shape)
    pred = b.reshape(y_pred, (-1, 1))
    label = b.reshape(b.broadcast_to(label, shape), (-1, 1))
    weight = b.reshape(weight, (-1, 1))
    thr = e.tensor(thresholds.reshape(1, -1).astype(np.float32), "float32")
    above = b.greater(pred, thr)
    f32 = "float32"
    pos = b.cast(label, f32)
    neg = b.cast(b.logical_not(label), f32)
    hit = b.cast(above, f32)
    miss = b.cast(b.logical_not(above), f32)
    return {
        "tp": b.sum(b.multiply(b.multiply(pos, hit), weight), 0),
        "fp": b.sum(b.multiply(b.multiply(neg, hit), weight), 0),
        "tn": b.sum(b.multiply(b.multiply(neg, miss), weight), 0),
        "fn": b.sum(b.multiply(b.multiply(pos, miss), weight), 0),
    }


class _Confusion(Metric):
    """Accumulates the counts ``_kinds`` at ``thresholds``."""

    _kinds: tuple[str, ...] = _KINDS

    def __init__(
        self,
        thresholds: Any = None,
        name: str | None = None,
        dtype: str | None = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if thresholds is None:
            thresholds = 0.5
        self._scalar = np.ndim(thresholds) == 0
        self.thresholds = np.atleast_1d(np.asarray(thresholds, np.float64))
        if np.any((self.thresholds < 0) | (self.thresholds > 1)):
            raise ValueError(
                f"Threshold values must be in [0, 1]. Received: {thresholds!r}"
            )
        n = len(self.thresholds)
        self._vars = {
            kind: self.add_variable(shape=(n,), initializer="zeros", name=kind)
            for kind in self._kinds
        }

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        counts = _counts(e, y_true, y_pred, self.thresholds, sample_weight)
        for kind, var in self._vars.items():
            var.assign(e.b.add(var.value, counts[kind]))

    def _out(self, value: Any) -> Any:
        return self._engine.b.reshape(value, ()) if self._scalar else value

    def get_config(self) -> dict[str, Any]:
        t = self.thresholds.tolist()
        return {**super().get_config(), "thresholds": t[0] if self._scalar else t}


def _count_metric(kind: str, doc: str) -> type[_Confusion]:
    class Count(_Confusion):
        _kinds = (kind,)

        def __init__(self, thresholds: Any = None, name: str | None = None, **kw):
            super().__init__(thresholds, name=name, **kw)

        def result(self) -> Any:
            self._ensure_bound()
            return self._out(self._vars[kind].value)

    Count.__doc__ = doc
    return Count


TruePositives = _count_metric("tp", "Weighted count of true positives.")
FalsePositives = _count_metric("fp", "Weighted count of false positives.")
TrueNegatives = _count_metric("tn", "Weighted count of true negatives.")
FalseNegatives = _count_metric("fn", "Weighted count of false negatives.")
for _cls, _name in zip(
    (TruePositives, FalsePositives, TrueNegatives, FalseNegatives),
    ("TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"),
):
    _cls.__name__ = _cls.__qualname__ = _name


class _Ratio(_Confusion):
    """``tp / (tp + <other count>)`` at each threshold (Precision, Recall)."""

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: str | None = None,
    ) -> None:
        if top_k is not None or class_id is not None:
            raise ValueError("`top_k` and `class_id` are not supported.")
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self) -> Any:
        e = self._ensure_bound()
        tp, other = (self._vars[k].value for k in self._kinds)
        return self._out(e.divide_no_nan(tp, e.b.add(tp, other)))


class Precision(_Ratio):
    """``tp / (tp + fp)``: how many predicted positives are positive."""

    _kinds = ("tp", "fp")


class Recall(_Ratio):
    """``tp / (tp + fn)``: how many positives are predicted positive."""

    _kinds = ("tp", "fn")


class AUC(_Confusion):
    """Area under the ROC (default) or PR curve, approximated as Keras does.

    Args:
        num_thresholds: Number of thresholds (default 200, at least 2).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"`` (default), ``"minoring"``,
            ``"majoring"``.
        thresholds: Explicit thresholds in ``[0, 1]`` (0 and 1 are pushed
            out by 1e-7 and added), instead of evenly spread ones.
        from_logits: Whether ``y_pred`` are logits (a sigmoid is applied).
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: str | None = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        if multi_label or label_weights is not None:
            raise ValueError("`multi_label` and `label_weights` are not supported.")
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected ROC or PR.')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}".'
            )
        if thresholds is not None:
            inner = sorted(float(t) for t in np.atleast_1d(thresholds))
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [
                (i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)
            ]
        self._explicit = thresholds is not None
        self.curve, self.summation_method = curve.upper(), summation_method
        self.from_logits = from_logits
        all_thresholds = np.array([0.0 - 1e-7, *inner, 1.0 + 1e-7])
        Metric.__init__(self, name=name or "auc", dtype=dtype)
        self.thresholds = all_thresholds
        self._scalar = False
        n = len(all_thresholds)
        self._vars = {
            kind: self.add_variable(shape=(n,), initializer="zeros", name=kind)
            for kind in _KINDS
        }

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        counts = _counts(
            e, y_true, y_pred, self.thresholds, sample_weight, self.from_logits
        )
        for kind, var in self._vars.items():
            var.assign(e.b.add(var.value, counts[kind]))

    def _interpolate_pr(self, e: Engine) -> Any:
        b = e.b
        n = self.num_thresholds
        tp, fp, fn = (self._vars[k].value for k in ("tp", "fp", "fn"))
        head, tail = (
            (lambda x: b.slice(x, (0,), (n - 1,))),
            (lambda x: b.slice(x, (1,), (n - 1,))),
        )
        zero = e.const(0.0)
        dtp = b.subtract(head(tp), tail(tp))
        p = b.add(tp, fp)
        dp = b.subtract(head(p), tail(p))
        slope = e.divide_no_nan(dtp, b.maximum(dp, zero))
        intercept = b.subtract(tail(tp), b.multiply(slope, tail(p)))
        both = b.logical_and(b.greater(head(p), zero), b.greater(tail(p), zero))
        ratio = b.where(
            both,
            e.divide_no_nan(head(p), b.maximum(tail(p), zero)),
            b.ones((n - 1,), "float32"),
        )
        increment = e.divide_no_nan(
            b.multiply(slope, b.add(dtp, b.multiply(intercept, b.log(ratio)))),
            b.maximum(b.add(tail(tp), tail(fn)), zero),
        )
        return b.sum(increment)

    def result(self) -> Any:
        e = self._ensure_bound()
        b = e.b
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr(e)
        tp, fp, tn, fn = (self._vars[k].value for k in _KINDS)
        recall = e.divide_no_nan(tp, b.add(tp, fn))
        if self.curve == "ROC":
            x, y = e.divide_no_nan(fp, b.add(fp, tn)), recall
        else:
            x, y = recall, e.divide_no_nan(tp, b.add(tp, fp))
        n = self.num_thresholds
        y0, y1 = b.slice(y, (0,), (n - 1,)), b.slice(y, (1,), (n - 1,))
        if self.summation_method == "interpolation":
            heights = b.divide(b.add(y0, y1), e.const(2.0))
        elif self.summation_method == "minoring":
            heights = b.minimum(y0, y1)
        else:
            heights = b.maximum(y0, y1)
        widths = b.subtract(b.slice(x, (0,), (n - 1,)), b.slice(x, (1,), (n - 1,)))
        return b.sum(b.multiply(widths, heights))

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "name": self.name,
            "dtype": self.dtype,
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "from_logits": self.from_logits,
        }
        if self._explicit:
            config["thresholds"] = self.thresholds[1:-1].tolist()
        return config
