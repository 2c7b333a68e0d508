"""Utilities: seeding, batch datasets, one-hot labels (``keras.utils``)."""

from __future__ import annotations

from .naming import clear_session
from .rng import set_random_seed
from .sequence import PyDataset, Sequence, to_categorical

__all__ = [
    "PyDataset",
    "Sequence",
    "clear_session",
    "set_random_seed",
    "to_categorical",
]
