"""Metrics (Keras 3 definitions): running means of per-sample values, accuracies.

A metric's state lives in :class:`~kconform.framework.variables.Variable`
objects (``total``, ``count``), so the trainer can update it inside a compiled
step through a stateless scope, exactly as it updates weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kconform.dtypes import to_numpy_dtype

from . import _config, losses
from ._engine import Engine, current_engine
from .variables import Variable

__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "Poisson",
    "Precision",
    "R2Score",
    "Recall",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "sparse_categorical_accuracy",
]


class Metric:
    """Base class: ``update_state`` adds, ``result`` reads, ``reset_state`` clears.

    Args:
        name: Name shown in logs.
        dtype: Dtype of the state, defaults to floatx.
    """

    def __init__(self, name: str | None = None, dtype: str | None = None) -> None:
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype or _config.floatx()
        self._variables: list[Variable] = []
        self._initial_values: list[np.ndarray] = []
        self._engine: Engine | None = None

    def add_variable(
        self,
        shape: tuple[int, ...] = (),
        initializer: Any = "zeros",
        dtype: str | None = None,
        aggregation: str = "sum",
        name: str = "variable",
    ) -> Variable:
        """Create a state variable; ``reset_state`` sets it back to its initial value.

        ``initializer``: a name (``"zeros"``, ``"ones"``), an initializer, or a
        number to fill the variable with.
        """
        del aggregation
        from . import initializers

        dtype = dtype or self.dtype
        shape = tuple(shape)
        if isinstance(initializer, (int, float, np.number)) and not isinstance(
            initializer, bool
        ):
            initial = np.full(shape, initializer, dtype=to_numpy_dtype(dtype))
        else:
            initial = np.asarray(
                initializers.get(initializer)(shape, dtype), to_numpy_dtype(dtype)
            )
        var = Variable(
            initial, dtype=dtype, trainable=False, name=name, engine=self._engine
        )
        var.path = f"{self.name}/{name}"
        self._variables.append(var)
        self._initial_values.append(initial)
        return var

    add_weight = add_variable

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables)

    def _bind(self, engine: Engine) -> None:
        self._engine = engine
        for v in self._variables:
            v.bind(engine)

    def _ensure_bound(self) -> Engine:
        engine = self._engine or current_engine()
        if self._engine is None:
            self._bind(engine)
        return engine

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> Any:
        raise NotImplementedError

    def build(self, y_true_shape: Any, y_pred_shape: Any) -> None:
        """Make shape-dependent state (``compile`` calls it with the first
        batch's shapes; most metrics have none)."""

    def initial_state(self) -> list[np.ndarray]:
        """The initial value of each state variable, in :attr:`variables` order."""
        return [np.array(v) for v in self._initial_values]

    def reset_state(self) -> None:
        """Set every state variable back to its initial value."""
        for v, initial in zip(self._variables, self._initial_values):
            v.assign(initial)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update the state and return the current result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _snake(name: str) -> str:
    from .utils.naming import to_snake_case

    return to_snake_case(name)


class Mean(Metric):
    """The (weighted) mean of the values given: ``total / count``."""

    def __init__(self, name: str = "mean", dtype: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        b = e.b
        values = e.cast(e.tensor(values), self.dtype)
        if isinstance(sample_weight, (int, float)) and not b.shape(values):
            # a scalar with a count (the loss tracker): total += value * count, as Keras
            sw = e.const(float(sample_weight), self.dtype)
            self.total.assign(b.add(self.total.value, b.multiply(values, sw)))
            self.count.assign(b.add(self.count.value, sw))
            return
        if sample_weight is not None:
            if isinstance(sample_weight, (int, float)):
                sw = e.const(float(sample_weight), self.dtype)
            else:
                sw = e.cast(e.tensor(sample_weight), self.dtype)
            values, sw = losses._same_rank(e, values, sw)
            vr, wr = len(b.shape(values)), len(b.shape(sw))
            if vr > wr:
                values = b.mean(values, tuple(range(wr, vr)))
            sw = b.broadcast_to(sw, b.shape(values))
            values = b.multiply(values, sw)
            if wr > 1:
                sw = b.mean(sw, tuple(range(1, wr)))
            num = b.sum(sw)
        else:
            num = e.const(
                float(b.shape(values)[0]) if b.shape(values) else 1.0, self.dtype
            )
        if len(b.shape(values)) > 1:
            values = b.mean(values, tuple(range(1, len(b.shape(values)))))
        self.total.assign(b.add(self.total.value, b.sum(values)))
        self.count.assign(b.add(self.count.value, num))

    def result(self) -> Any:
        e = self._ensure_bound()
        return e.divide_no_nan(self.total.value, self.count.value)


class Sum(Metric):
    """The (weighted) sum of the values given."""

    def __init__(self, name: str = "sum", dtype: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        values = e.cast(e.tensor(values), self.dtype)
        if sample_weight is not None:
            values = e.b.multiply(values, e.cast(e.tensor(sample_weight), self.dtype))
        self.total.assign(e.b.add(self.total.value, e.b.sum(values)))

    def result(self) -> Any:
        return self.total.value


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        dtype: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        values = self._fn(e.tensor(y_true), e.tensor(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}


def _matches(e: Engine, y_true: Any, y_pred: Any) -> Any:
    return e.cast(e.b.equal(y_true, y_pred), _config.floatx())


def accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where ``y_true == y_pred`` exactly."""
    e = current_engine()
    y_true, y_pred = losses._same_rank(e, e.cast(y_true, e.b.dtype(y_pred)), y_pred)
    return _matches(e, y_true, y_pred)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Any:
    """1.0 where ``(y_pred > threshold) == y_true``, averaged over the last axis."""
    e = current_engine()
    b = e.b
    y_true, y_pred = losses._same_rank(e, y_true, y_pred)
    y_pred = e.cast(
        b.greater(y_pred, e.const(threshold, b.dtype(y_pred))), b.dtype(y_true)
    )
    return b.mean(_matches(e, y_true, y_pred), -1)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where ``argmax(y_pred) == y_true``."""
    e = current_engine()
    b = e.b
    ts, ps = b.shape(y_true), b.shape(y_pred)
    if len(ts) == len(ps) and ts[-1] == 1:
        y_true = b.squeeze(y_true, -1)
    pred = b.argmax(y_pred, -1)
    if b.dtype(y_true) not in ("int32", "int64"):
        # NOTE: Keras compares in y_pred's float dtype; for integer labels the
        # int32 comparison is the same, one cast cheaper
        y_true = e.cast(y_true, b.dtype(y_pred))
        pred = e.cast(pred, b.dtype(y_true))
    elif b.dtype(y_true) != "int32":
        pred = e.cast(pred, b.dtype(y_true))
    return _matches(e, y_true, pred)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where ``argmax(y_pred) == argmax(y_true)``."""
    e = current_engine()
    b = e.b
    true = e.cast(b.argmax(y_true, -1), b.dtype(y_pred))
    pred = e.cast(b.argmax(y_pred, -1), b.dtype(true))
    return _matches(e, true, pred)


def _wrapper(
    fn: Callable[..., Any], default_name: str, doc: str, **defaults: Any
) -> type:
    def __init__(self, name=default_name, dtype=None, **kwargs):
        MeanMetricWrapper.__init__(
            self, fn, name=name, dtype=dtype, **{**defaults, **kwargs}
        )

    cls_name = "".join(p.capitalize() for p in default_name.split("_"))
    return type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})


Accuracy = _wrapper(accuracy, "accuracy", "How often predictions equal labels exactly.")
BinaryAccuracy = _wrapper(
    binary_accuracy,
    "binary_accuracy",
    "How often ``y_pred > threshold`` matches binary labels.",
    threshold=0.5,
)
CategoricalAccuracy = _wrapper(
    categorical_accuracy,
    "categorical_accuracy",
    "How often the argmax matches one-hot labels.",
)
SparseCategoricalAccuracy = _wrapper(
    sparse_categorical_accuracy,
    "sparse_categorical_accuracy",
    "How often the argmax matches integer labels.",
)
MeanSquaredError = _wrapper(
    losses.mean_squared_error, "mean_squared_error", "Mean squared error."
)
MeanAbsoluteError = _wrapper(
    losses.mean_absolute_error, "mean_absolute_error", "Mean absolute error."
)
SparseCategoricalCrossentropy = _wrapper(
    losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    "Mean crossentropy for integer labels.",
    from_logits=False,
)
CategoricalCrossentropy = _wrapper(
    losses.categorical_crossentropy,
    "categorical_crossentropy",
    "Mean crossentropy for one-hot labels.",
    from_logits=False,
)
BinaryCrossentropy = _wrapper(
    losses.binary_crossentropy,
    "binary_crossentropy",
    "Mean binary crossentropy.",
    from_logits=False,
)


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_pred - y_true) ** 2))`` over every sample seen (Keras 3)."""

    def __init__(
        self, name: str = "root_mean_squared_error", dtype: str | None = None
    ) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        e = self._ensure_bound()
        b = e.b
        y_pred = e.cast(e.tensor(y_pred), self.dtype)
        y_true = e.cast(e.tensor(y_true), self.dtype)
        y_true, y_pred = losses._same_rank(e, y_true, y_pred)
        super().update_state(b.square(b.subtract(y_pred, y_true)), sample_weight)

    def result(self) -> Any:
        e = self._ensure_bound()
        return e.b.sqrt(e.divide_no_nan(self.total.value, self.count.value))


from .metrics_confusion import (  # noqa: E402 - they subclass Metric, defined above
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from .metrics_more import (  # noqa: E402 - they wrap MeanMetricWrapper, above
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    TopKCategoricalAccuracy,
)
from .metrics_shaped import F1Score, FBetaScore, R2Score  # noqa: E402

ALL: dict[str, Callable[[], Metric]] = {
    "f1_score": F1Score,
    "fbeta_score": FBetaScore,
    "r2_score": R2Score,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "cosine_similarity": CosineSimilarity,
    "logcosh": LogCoshError,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "poisson": Poisson,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "auc": AUC,
    "precision": Precision,
    "recall": Recall,
    "root_mean_squared_error": RootMeanSquaredError,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
}
_CLASSES = {
    c.__name__: c
    for c in (
        Accuracy,
        BinaryAccuracy,
        CategoricalAccuracy,
        SparseCategoricalAccuracy,
        MeanSquaredError,
        MeanAbsoluteError,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        Mean,
        Sum,
        RootMeanSquaredError,
        AUC,
        Precision,
        Recall,
        TruePositives,
        FalsePositives,
        TrueNegatives,
        FalseNegatives,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        CosineSimilarity,
        LogCoshError,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        KLDivergence,
        Poisson,
        TopKCategoricalAccuracy,
        SparseTopKCategoricalAccuracy,
        F1Score,
        FBetaScore,
        R2Score,
    )
}


def get(identifier: Any) -> Metric:
    """Resolve a metric name (``"accuracy"`` is ``compile``'s), class name or object."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        factory = ALL.get(identifier) or _CLASSES.get(identifier)
        if factory is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}. Expected "
                f"'accuracy', one of {sorted(ALL)}, a `keras.metrics.Metric` or a "
                "function."
            )
        return factory()
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
