"""Turning what ``fit``/``evaluate``/``predict`` receive into batches of host arrays.

Accepted: NumPy arrays (or lists/dicts of them for several inputs/outputs),
tensors of the model's backend, Python lists of numbers, ``PyDataset``/
``Sequence``-like objects (``__len__`` + ``__getitem__`` returning batches),
and Python generators or iterators yielding ``(x, y)`` or ``(x, y, sample_weight)``.
Batches stay on the host until the trainer moves them to the backend.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _tree
from ._engine import Engine, standard_dtype

__all__ = ["ArrayData", "IterData", "make_data", "split_validation", "to_host"]

_ONE_SHOT_HINT = (
    "Pass NumPy arrays, or a `keras.utils.PyDataset`/`Sequence`, or give "
    "`steps_per_epoch` with an endless generator."
)


def to_host(value: Any, engine: Engine | None, what: str) -> Any:
    """Convert arrays, tensors or lists to contiguous host arrays of contract dtypes."""

    def convert(a: Any) -> np.ndarray:
        if engine is not None and engine.b.is_tensor(a):
            a = engine.b.to_numpy(a)
        arr = np.asarray(a)
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError(
                f"Received invalid data for `{what}`: expected numeric arrays, got an "
                "array "
                f"of dtype {arr.dtype}. Convert it first, e.g. `np.asarray(x, "
                "'float32')`."
            )
        if arr.ndim == 0:
            raise ValueError(
                f"Received a scalar for `{what}`; expected an array with a batch axis."
            )
        dtype = (
            np.dtype(standard_dtype(arr)) if arr.dtype.name != "bfloat16" else arr.dtype
        )
        return np.asarray(arr, dtype=dtype, order="C")

    if value is None:
        return None
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, (int, float, bool, np.number)) for v in value)
    ):
        return convert(value)
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return convert(value)
    return _tree.map_structure(convert, value)


def _sizes(s: Any) -> list[int]:
    return [len(a) for a in _tree.flatten(s)]


def check_cardinality(x: Any, y: Any = None, sample_weight: Any = None) -> int:
    """The common number of samples, or a Keras-style error listing the sizes."""
    parts = {"x": x, "y": y, "sample_weight": sample_weight}
    sizes = {k: _sizes(v) for k, v in parts.items() if v is not None}
    flat = {n for ns in sizes.values() for n in ns}
    if len(flat) > 1:
        lines = "\n".join(
            f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items()
        )
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same "
            f"number of samples.\n{lines}"
        )
    return flat.pop() if flat else 0


def split_validation(
    x: Any, y: Any, sw: Any, validation_split: float
) -> tuple[Any, Any]:
    """Keras's split: the *last* ``validation_split`` of the samples validates."""
    n = check_cardinality(x, y, sw)
    at = int(math.floor(n * (1.0 - validation_split)))
    if at == 0 or at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it "
            "into a validation and training set as specified by "
            f"`validation_split={validation_split}`. "
            "Either provide more data, or a different value for the "
            "`validation_split` argument."
        )

    def cut(s: Any, sl: slice) -> Any:
        return None if s is None else _tree.map_structure(lambda a: a[sl], s)

    first, last = slice(0, at), slice(at, None)
    return (cut(x, first), cut(y, first), cut(sw, first)), (
        cut(x, last),
        cut(y, last),
        cut(sw, last),
    )


class ArrayData:
    """In-memory arrays cut into batches, shuffled per epoch with a host generator."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int = 32,
        shuffle: bool | str = False,
    ) -> None:
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.num_samples = check_cardinality(x, y, sample_weight)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps = math.ceil(self.num_samples / batch_size) if self.num_samples else 0

    def first_batch(self) -> tuple[Any, Any, Any]:
        n = min(self.batch_size, self.num_samples)
        return self._take(slice(0, n))

    def _take(self, index: Any) -> tuple[Any, Any, Any]:
        def cut(s: Any) -> Any:
            return None if s is None else _tree.map_structure(lambda a: a[index], s)

        return cut(self.x), cut(self.y), cut(self.sample_weight)

    def epoch(self, gen: np.random.Generator | None) -> Iterator[tuple[Any, Any, Any]]:
        for i, batch in enumerate(self._batches(gen)):
            if i >= self.steps:
                return
            yield batch

    def _batches(
        self, gen: np.random.Generator | None
    ) -> Iterator[tuple[Any, Any, Any]]:
        n, bs = self.num_samples, self.batch_size
        if self.shuffle and gen is not None:
            if self.shuffle == "batch":
                order = gen.permutation(self.steps)
                for i in order:
                    yield self._take(slice(i * bs, min((i + 1) * bs, n)))
                return
            perm = gen.permutation(n)
            for start in range(0, n, bs):
                yield self._take(perm[start : start + bs])
            return
        for start in range(0, n, bs):
            yield self._take(slice(start, min(start + bs, n)))


class IterData:
    """Batches from a ``PyDataset``-like object or from a generator/iterator."""

    def __init__(self, source: Any, steps: int | None, engine: Engine | None) -> None:
        self.source, self.engine = source, engine
        self.indexable = hasattr(source, "__getitem__") and hasattr(source, "__len__")
        if self.indexable:
            length = len(source)
            self.steps = length if steps is None else min(steps, length)
        else:
            self.steps = steps
            self._iter = iter(source)
        self._peeked: tuple[Any, Any, Any] | None = None

    def _unpack(self, item: Any) -> tuple[Any, Any, Any]:
        if isinstance(item, tuple) and 1 <= len(item) <= 3:
            parts = list(item) + [None] * (3 - len(item))
        else:
            parts = [item, None, None]
        return tuple(
            to_host(p, self.engine, name)
            for p, name in zip(parts, ("x", "y", "sample_weight"))
        )  # type: ignore[return-value]

    def first_batch(self) -> tuple[Any, Any, Any]:
        if self.indexable:
            return self._unpack(self.source[0])
        if self._peeked is None:
            try:
                self._peeked = self._unpack(next(self._iter))
            except StopIteration:
                raise ValueError(
                    "The generator passed as data is empty (it yielded no batch)."
                ) from None
        return self._peeked

    def epoch(self, gen: np.random.Generator | None) -> Iterator[tuple[Any, Any, Any]]:
        del gen  # a dataset orders its own batches
        if self.indexable:
            for i in range(self.steps):
                yield self._unpack(self.source[i])
            if hasattr(self.source, "on_epoch_end"):
                self.source.on_epoch_end()
            return
        count = 0
        if self._peeked is not None:
            batch, self._peeked = self._peeked, None
            yield batch
            count = 1
        while self.steps is None or count < self.steps:
            try:
                item = next(self._iter)
            except StopIteration:
                if self.steps is not None and count < self.steps:
                    print(
                        f"Your input ran out of data after {count} steps; interrupting "
                        f"training. {_ONE_SHOT_HINT}"
                    )
                return
            yield self._unpack(item)
            count += 1


def is_iterable_source(x: Any) -> bool:
    """Whether ``x`` is a dataset/generator rather than arrays."""
    if isinstance(x, (np.ndarray, list, tuple, dict)) or x is None:
        return False
    if hasattr(x, "__getitem__") and hasattr(x, "__len__") and not hasattr(x, "shape"):
        return True
    return hasattr(x, "__next__") or (
        hasattr(x, "__iter__") and not hasattr(x, "shape")
    )


def make_data(
    x: Any,
    y: Any,
    sample_weight: Any,
    batch_size: int | None,
    shuffle: bool | str,
    steps: int | None,
    engine: Engine | None,
    default_batch: int = 32,
) -> ArrayData | IterData:
    """Pick the adapter for ``x``; checks arguments that cannot go with it."""
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, (str, bytes, os.PathLike)):
            raise ValueError(
                f"Unrecognized data type: {name}={value!r} (of type "
                f"{type(value).__name__}): a file name or text. fit(), evaluate() "
                "and predict() take arrays (NumPy arrays or tensors, or a list or "
                "dict of them), a generator or a PyDataset; they do not read "
                "files. Load the data first, e.g. "
                f"numpy.loadtxt({os.fspath(value)!r}, delimiter=',') for a CSV."
                if isinstance(value, (str, os.PathLike))
                else f"Unrecognized data type: {name} is bytes; pass arrays."
            )
    if is_iterable_source(x):
        if y is not None or sample_weight is not None:
            raise ValueError(
                "When providing `x` as a generator or PyDataset, `y` and "
                "`sample_weight` "
                "must not be given: the data yields them. Received: "
                f"y={type(y).__name__}, sample_weight={type(sample_weight).__name__}"
            )
        if batch_size is not None:
            raise ValueError(
                "Do not specify `batch_size` when `x` is a generator or PyDataset: it "
                "yields batches already."
            )
        return IterData(x, steps, engine)
    if x is None:
        raise ValueError("Received `x=None`; pass the input data as `x`.")
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int)
        or batch_size <= 0
    ):
        raise ValueError(
            "Received an invalid value for `batch_size`, expected a positive integer. "
            f"Received: batch_size={batch_size!r}"
        )
    xs = to_host(x, engine, "x")
    ys = to_host(y, engine, "y")
    sws = to_host(sample_weight, engine, "sample_weight")
    data = ArrayData(xs, ys, sws, batch_size or default_batch, shuffle)
    if steps is not None:
        data.steps = min(data.steps, steps)
    return data
