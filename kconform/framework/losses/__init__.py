"""``keras.losses``: Keras 3's losses, definition for definition."""

from __future__ import annotations

from .functions import (
    MAE,
    MSE,
    _same_rank,
    binary_crossentropy,
    categorical_crossentropy,
    huber,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
    sparse_categorical_crossentropy,
)
from .loss import (
    ALL_CLASSES,
    ALL_FUNCTIONS,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Huber,
    Loss,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    get,
    reduce_weighted_values,
)

__all__ = [
    "ALL_CLASSES",
    "ALL_FUNCTIONS",
    "MAE",
    "MSE",
    "mae",
    "mse",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Huber",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get",
    "huber",
    "mean_absolute_error",
    "mean_squared_error",
    "reduce_weighted_values",
    "sparse_categorical_crossentropy",
]

_ = _same_rank  # used by metrics
