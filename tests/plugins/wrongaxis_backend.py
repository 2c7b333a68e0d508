"""The NumPy reference with one real bug: softmax normalises over the wrong axis."""

from __future__ import annotations

import numpy as np
from numpy_based import numpy_hooks

globals().update(numpy_hooks("wrongaxis"))


def kconform_softmax(x, axis):
    # the bug: over the first axis of a matrix, whatever axis was asked for
    ax = 0 if np.ndim(x) > 1 else axis
    e = np.exp(x - np.max(x, axis=ax, keepdims=True))
    return (e / np.sum(e, axis=ax, keepdims=True)).astype(x.dtype)
