"""The NumPy reference with one real bug: softmax normalises over the wrong axis."""

from __future__ import annotations

import kconform_numpy
import numpy as np

globals().update(
    {
        k: getattr(kconform_numpy, k)
        for k in dir(kconform_numpy)
        if k.startswith("kconform_")
    }
)


def kconform_backend_info():
    return {**kconform_numpy.kconform_backend_info(), "name": "wrongaxis"}


def kconform_deviations():
    return []


def kconform_softmax(x, axis):
    # the bug: over the first axis of a matrix, whatever axis was asked for
    ax = 0 if np.ndim(x) > 1 else axis
    e = np.exp(x - np.max(x, axis=ax, keepdims=True))
    return (e / np.sum(e, axis=ax, keepdims=True)).astype(x.dtype)
