"""``keras.utils.pad_sequences``: ragged integer sequences to one 2-D array."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: str = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: float = 0.0,
) -> np.ndarray:
    """Pad (or cut) each sequence to ``maxlen`` (default: the longest), as Keras.

    ``padding``/``truncating``: ``"pre"`` works at the start of each sequence,
    ``"post"`` at its end. Items may themselves be arrays (then every item
    has the same shape, kept as trailing axes).
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    for name, v in (("padding", padding), ("truncating", truncating)):
        if v not in ("pre", "post"):
            raise ValueError(f'{name} type "{v}" not understood')
    lengths, sample_shape = [], ()
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError as exc:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {x!r}"
            ) from exc
        if len(x) and not sample_shape:
            sample_shape = np.asarray(x).shape[1:]
    if maxlen is None:
        maxlen = max(lengths, default=0)
    kind = np.dtype(dtype).kind
    if isinstance(value, str) and kind not in "OSU":
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type {type(value)}"
        )
    out = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        cut = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(cut, dtype=dtype)
        if trunc.shape[1:] != tuple(sample_shape):
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at position {i} "
                f"is different from expected shape {tuple(sample_shape)}"
            )
        if padding == "post":
            out[i, : len(trunc)] = trunc
        else:
            out[i, maxlen - len(trunc) :] = trunc
    return out
