"""Utilities: seeding, batch datasets, one-hot labels (``keras.utils``)."""

from __future__ import annotations

from .naming import clear_session
from .padding import pad_sequences
from .rng import set_random_seed
from .sequence import PyDataset, Sequence, to_categorical

__all__ = [
    "PyDataset",
    "Sequence",
    "clear_session",
    "custom_object_scope",
    "normalize",
    "pad_sequences",
    "set_random_seed",
    "to_categorical",
]


def custom_object_scope(*objects: dict) -> object:
    """``keras.utils.custom_object_scope``: see ``keras.saving.custom_object_scope``."""
    from ..saving.registry import custom_object_scope as scope

    return scope(*objects)


def normalize(x: object, axis: int = -1, order: int = 2) -> object:
    """``keras.utils.normalize``: ``x`` divided by its ``order``-norm along ``axis``
    (a NumPy array for a NumPy array, zeros norms left as 1, as Keras)."""
    import numpy as np

    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, axis or -1)
    from ..ops_numpy import normalize as ops_normalize

    return ops_normalize(x, axis=axis, order=order)
