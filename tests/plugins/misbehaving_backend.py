"""The NumPy reference with ops that misbehave as foreign code can.

``tanh`` raises ``KeyboardInterrupt`` and ``cos`` raises ``SystemExit``
(neither is an ``Exception``); ``sin`` returns a tensor whose ``__array__``
raises. Each must be that op's failure, recorded against its case; the
session goes on (tests/cli/test_run.py).
"""

from __future__ import annotations

import kconform_numpy
import numpy as np
from numpy_based import numpy_hooks

globals().update(numpy_hooks("misbehaving"))


class Unreadable:
    """A tensor type whose conversion to NumPy raises."""

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("this tensor cannot be read back")


def kconform_is_tensor(x):
    return isinstance(x, Unreadable) or kconform_numpy.kconform_is_tensor(x)


def kconform_to_numpy(x):
    return np.asarray(x)


def kconform_tanh(x):
    raise KeyboardInterrupt


def kconform_cos(x):
    raise SystemExit(3)


def kconform_sin(x):
    return Unreadable()
