"""More of Keras 3's metrics: the regression and probabilistic losses as metrics,
cosine similarity, and top-k accuracy (``in_top_k``: the target's score is at
least the k-th largest, ties counting as in)."""

from __future__ import annotations

from typing import Any

from ._engine import current_engine
from .losses import more as loss_fns
from .metrics import _wrapper

__all__ = [
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseTopKCategoricalAccuracy",
    "SquaredHinge",
    "TopKCategoricalAccuracy",
    "cosine_similarity",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (the metric: +)."""
    return current_engine().b.negative(loss_fns.cosine_similarity(y_true, y_pred, axis))


def _in_top_k(labels: Any, y_pred: Any, k: int) -> Any:
    e = current_engine()
    b = e.b
    labels = e.cast(labels, "int32")
    target = b.take_along_axis(y_pred, b.expand_dims(labels, -1), -1)
    above = b.cast(b.greater(y_pred, target), "int32")
    count = b.sum(above, -1)
    return e.cast(b.less(count, e.const(k, "int32")), "float32")


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """1.0 where the one-hot target's class is among the ``k`` highest scores."""
    e = current_engine()
    y_true, y_pred = e.tensor(y_true), e.tensor(y_pred)
    return _in_top_k(e.b.argmax(y_true, -1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """1.0 where the integer label is among the ``k`` highest scores."""
    e = current_engine()
    b = e.b
    y_true, y_pred = e.tensor(y_true), e.tensor(y_pred)
    ts, ps = b.shape(y_true), b.shape(y_pred)
    if len(ts) == len(ps) and ts[-1] == 1:
        y_true = b.squeeze(y_true, -1)
    return _in_top_k(y_true, y_pred, k)


MeanAbsolutePercentageError = _wrapper(
    loss_fns.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    "Mean absolute percentage error.",
)
MeanSquaredLogarithmicError = _wrapper(
    loss_fns.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    "Mean squared logarithmic error.",
)
CosineSimilarity = _wrapper(
    cosine_similarity, "cosine_similarity", "Mean cosine similarity.", axis=-1
)
LogCoshError = _wrapper(loss_fns.log_cosh, "logcosh", "Mean log(cosh(error)).")
Hinge = _wrapper(loss_fns.hinge, "hinge", "Mean hinge loss.")
SquaredHinge = _wrapper(loss_fns.squared_hinge, "squared_hinge", "Mean squared hinge.")
CategoricalHinge = _wrapper(
    loss_fns.categorical_hinge, "categorical_hinge", "Mean categorical hinge."
)
KLDivergence = _wrapper(
    loss_fns.kl_divergence, "kl_divergence", "Mean Kullback-Leibler divergence."
)
Poisson = _wrapper(loss_fns.poisson, "poisson", "Mean Poisson loss.")
TopKCategoricalAccuracy = _wrapper(
    top_k_categorical_accuracy,
    "top_k_categorical_accuracy",
    "How often the one-hot target is in the top k predictions (k=5).",
    k=5,
)
SparseTopKCategoricalAccuracy = _wrapper(
    sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy",
    "How often the integer target is in the top k predictions (k=5).",
    k=5,
)
for _cls, _name in (
    (MeanAbsolutePercentageError, "MeanAbsolutePercentageError"),
    (MeanSquaredLogarithmicError, "MeanSquaredLogarithmicError"),
    (CosineSimilarity, "CosineSimilarity"),
    (LogCoshError, "LogCoshError"),
    (Hinge, "Hinge"),
    (SquaredHinge, "SquaredHinge"),
    (CategoricalHinge, "CategoricalHinge"),
    (KLDivergence, "KLDivergence"),
    (Poisson, "Poisson"),
    (TopKCategoricalAccuracy, "TopKCategoricalAccuracy"),
    (SparseTopKCategoricalAccuracy, "SparseTopKCategoricalAccuracy"),
):
    _cls.__name__ = _cls.__qualname__ = _name
