"""`Loss` objects, the ``"sum_over_batch_size"`` reduction, and name resolution.

The default reduction is the sum of the (weighted) per-sample losses divided
by their number, as Keras 3 computes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import _config
from .._engine import current_engine
from . import more
from .functions import (
    _same_rank,
    binary_crossentropy,
    categorical_crossentropy,
    huber,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)

__all__ = [
    "ALL_CLASSES",
    "ALL_FUNCTIONS",
    "Loss",
    "LossFunctionWrapper",
    "get",
    "reduce_weighted_values",
]

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", None)


def reduce_weighted_values(
    values: Any,
    sample_weight: Any = None,
    reduction: str | None = "sum_over_batch_size",
) -> Any:
    """Weight and reduce per-sample ``values`` (Keras's ``reduce_weighted_values``)."""
    e = current_engine()
    b = e.b
    if sample_weight is not None:
        sample_weight = e.cast(sample_weight, b.dtype(values))
        values, sample_weight = _same_rank(e, values, sample_weight)
        values = b.multiply(values, sample_weight)
    shape = tuple(b.shape(values))
    if reduction in (None, "none") or shape in ((), (0,)):
        return values
    total = b.sum(values)
    if reduction == "sum":
        return total
    count = math.prod(shape)
    return b.divide(total, e.const(float(count), b.dtype(total)))


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` returns a scalar.

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses.

    Args:
        name: Name of the loss.
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"`` or ``"none"``.
        dtype: Dtype the loss is computed in; defaults to floatx.
    """

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: str | None = None,
    ) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(
                "Invalid value for argument `reduction`. Expected one of "
                f"{[r for r in _REDUCTIONS if r]}. Received: reduction={reduction!r}"
            )
        self.name = name or type(self).__name__
        self.reduction = reduction
        self.dtype = dtype or _config.floatx()

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        e = current_engine()
        y_pred = e.tensor(y_pred, self.dtype)
        y_true = e.tensor(y_true, self.dtype)
        if sample_weight is not None:
            sample_weight = e.tensor(sample_weight, self.dtype)
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A :class:`Loss` from a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            name=name or getattr(fn, "__name__", "loss"),
            reduction=reduction,
            dtype=dtype,
        )
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true: Any, y_pred: Any) -> Any:
        # As Keras: a target of rank 1 against predictions of shape (n, 1), or
        # the other way round, is first given the same rank (never broadcast).
        y_true, y_pred = _same_rank(current_engine(), y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper(
    fn: Callable[..., Any], default_name: str, doc: str, **defaults: Any
) -> type:
    def __init__(
        self, reduction="sum_over_batch_size", name=default_name, dtype=None, **kwargs
    ):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{sorted(unknown)}"
            )
        LossFunctionWrapper.__init__(
            self,
            fn,
            reduction=reduction,
            name=name,
            dtype=dtype,
            **{**defaults, **kwargs},
        )

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, **self._fn_kwargs}

    name = "".join(p.capitalize() for p in default_name.split("_"))
    return type(
        name,
        (LossFunctionWrapper,),
        {"__init__": __init__, "get_config": get_config, "__doc__": doc},
    )


SparseCategoricalCrossentropy = _wrapper(
    sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    "Crossentropy for integer labels. Args: from_logits (default False).",
    from_logits=False,
)
CategoricalCrossentropy = _wrapper(
    categorical_crossentropy,
    "categorical_crossentropy",
    "Crossentropy for one-hot labels. Args: from_logits, label_smoothing, axis.",
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
)
BinaryCrossentropy = _wrapper(
    binary_crossentropy,
    "binary_crossentropy",
    "Crossentropy for 0/1 labels. Args: from_logits, label_smoothing, axis.",
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
)
MeanSquaredError = _wrapper(
    mean_squared_error, "mean_squared_error", "Mean of squared errors."
)
MeanAbsoluteError = _wrapper(
    mean_absolute_error, "mean_absolute_error", "Mean of absolute errors."
)
Huber = _wrapper(
    huber, "huber_loss", "Huber loss. Args: delta (default 1.0).", delta=1.0
)

MeanAbsolutePercentageError = _wrapper(
    more.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    "Mean absolute percentage error (100 * |error| / max(|y_true|, eps)).",
)
MeanSquaredLogarithmicError = _wrapper(
    more.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    "Mean squared error of log(1 + y).",
)
CosineSimilarity = _wrapper(
    more.cosine_similarity,
    "cosine_similarity",
    "Negative cosine similarity along `axis` (default -1).",
    axis=-1,
)
LogCosh = _wrapper(more.log_cosh, "log_cosh", "Mean log(cosh(error)).")
Hinge = _wrapper(more.hinge, "hinge", "Hinge loss (labels -1/1 or 0/1).")
SquaredHinge = _wrapper(more.squared_hinge, "squared_hinge", "Squared hinge loss.")
CategoricalHinge = _wrapper(
    more.categorical_hinge, "categorical_hinge", "Categorical hinge loss."
)
KLDivergence = _wrapper(
    more.kl_divergence, "kl_divergence", "Kullback-Leibler divergence."
)
Poisson = _wrapper(more.poisson, "poisson", "Poisson loss.")
BinaryFocalCrossentropy = _wrapper(
    more.binary_focal_crossentropy,
    "binary_focal_crossentropy",
    "Focal binary crossentropy. Args: apply_class_balancing, alpha, gamma, "
    "from_logits, label_smoothing, axis.",
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
)
for _cls, _name in (
    (KLDivergence, "KLDivergence"),
    (LogCosh, "LogCosh"),
):
    _cls.__name__ = _cls.__qualname__ = _name

ALL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "mean_absolute_percentage_error": more.mean_absolute_percentage_error,
    "mape": more.mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": more.mean_squared_logarithmic_error,
    "msle": more.mean_squared_logarithmic_error,
    "cosine_similarity": more.cosine_similarity,
    "log_cosh": more.log_cosh,
    "logcosh": more.log_cosh,
    "hinge": more.hinge,
    "squared_hinge": more.squared_hinge,
    "categorical_hinge": more.categorical_hinge,
    "kl_divergence": more.kl_divergence,
    "kld": more.kl_divergence,
    "kullback_leibler_divergence": more.kl_divergence,
    "poisson": more.poisson,
    "binary_focal_crossentropy": more.binary_focal_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
    "huber": huber,
    "huber_loss": huber,
}
ALL_CLASSES: dict[str, type] = {
    c.__name__: c
    for c in (
        SparseCategoricalCrossentropy,
        CategoricalCrossentropy,
        BinaryCrossentropy,
        MeanSquaredError,
        MeanAbsoluteError,
        Huber,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        CosineSimilarity,
        LogCosh,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        KLDivergence,
        Poisson,
        BinaryFocalCrossentropy,
    )
}


def get(identifier: Any) -> Loss | Callable[..., Any]:
    """Resolve a loss: a name (``"mse"``), class name, config dict, Loss or function."""
    if isinstance(identifier, Loss) or (
        callable(identifier) and not isinstance(identifier, (str, type))
    ):
        return identifier
    if isinstance(identifier, str):
        if identifier in ALL_FUNCTIONS:
            return ALL_FUNCTIONS[identifier]
        if identifier in ALL_CLASSES:
            return ALL_CLASSES[identifier]()
        raise ValueError(
            f"Could not interpret loss identifier: {identifier!r}. Expected one of "
            f"{sorted(ALL_FUNCTIONS)}, a `keras.losses.Loss` instance or a function."
        )
    if isinstance(identifier, dict):
        cls = ALL_CLASSES.get(identifier.get("class_name", ""))
        if cls is None:
            raise ValueError(
                f"Unknown loss class in config: {identifier.get('class_name')!r}"
            )
        return cls(**dict(identifier.get("config") or {}))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
