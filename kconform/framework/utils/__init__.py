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
    "pad_sequences",
    "set_random_seed",
    "to_categorical",
]


def custom_object_scope(*objects: dict) -> object:
    """``keras.utils.custom_object_scope``: see ``keras.saving.custom_object_scope``."""
    from ..saving.registry import custom_object_scope as scope

    return scope(*objects)
