"""The NumPy reference with a matmul whose shape check is too lenient.

It accepts a call that breaks one shape rule only (a contracted dimension of 1
against k); the hand-picked invalid calls break several rules or other ones
and still raise, so only the error cases generated from the shape rules
(kconform/oracle/shape_rules.py) catch it (tests/harness/test_faults.py).
"""

from __future__ import annotations

import kconform_numpy
import numpy as np
from numpy_based import numpy_hooks

globals().update(numpy_hooks("lenient"))


def kconform_matmul(x1, x2):
    """A contracted dimension of 1 in the second operand is broadcast to k."""
    a, b = np.asarray(x1), np.asarray(x2)
    if a.ndim >= 1 and b.ndim >= 2 and b.shape[-2] == 1 and a.shape[-1] != 1:
        b = np.broadcast_to(b, b.shape[:-2] + (a.shape[-1], b.shape[-1]))
    return kconform_numpy.kconform_matmul(
        kconform_numpy.kconform_from_numpy(a), kconform_numpy.kconform_from_numpy(b)
    )
