"""`Sequence` / `PyDataset`: an indexable source of batches, and small array helpers."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["PyDataset", "Sequence", "to_categorical"]


class PyDataset:
    """Base class for a dataset of batches: implement ``__len__`` and ``__getitem__``.

    ``__getitem__(i)`` returns batch ``i`` as ``(x, y)`` or ``(x, y, sample_weight)``;
    ``__len__`` is the number of batches per epoch. ``fit`` calls
    ``on_epoch_end()`` after each epoch.

    Example:

    >>> class Batches(keras.utils.PyDataset):
    ...     def __len__(self):
    ...         return 10
    ...     def __getitem__(self, i):
    ...         return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, **kwargs: Any
    ):
        del workers, use_multiprocessing, kwargs  # single-threaded by design

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called at the end of each epoch (e.g. to reshuffle)."""


Sequence = PyDataset


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Convert integer class labels to one-hot float32 rows.

    Args:
        x: Array-like of non-negative integer labels.
        num_classes: Number of classes; defaults to ``max(x) + 1``.
    """
    x = np.asarray(x)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    if x.size and (x.min() < 0 or not np.issubdtype(x.dtype, np.integer)):
        if not np.all(np.equal(np.mod(x, 1), 0)) or x.min() < 0:
            raise ValueError(
                "Received an invalid value for `x`, expected non-negative integer "
                f"class labels. Received: x with min={x.min()}"
            )
    x = x.astype("int64")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    if x.size and x.max() >= num_classes:
        raise ValueError(
            f"Received a label {int(x.max())} >= num_classes={num_classes}; "
            "pass a larger `num_classes`."
        )
    out = np.zeros(x.shape + (num_classes,), dtype="float32")
    np.put_along_axis(out, x[..., None], 1.0, axis=-1)
    return out
