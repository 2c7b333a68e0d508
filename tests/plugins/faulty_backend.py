"""A deliberately wrong backend: the NumPy reference with five planted faults.

Each fault must be caught by the one case meant to catch it
(tests/harness/test_faults.py).
"""

from __future__ import annotations

import autograd.numpy as anp
import kconform_numpy
import ml_dtypes
import numpy as np
from autograd.extend import defvjp, primitive

globals().update(
    {
        k: getattr(kconform_numpy, k)
        for k in dir(kconform_numpy)
        if k.startswith("kconform_")
    }
)


def kconform_backend_info():
    return {**kconform_numpy.kconform_backend_info(), "name": "faulty"}


def kconform_deviations():
    return []


def kconform_softmax(x, axis):
    """Fault 1: softmax over axis 0 whatever the axis asked for."""
    return kconform_numpy.kconform_softmax(x, 0)


def kconform_exp(x):
    """Fault 2: exp 300 ULPs too large."""
    y = kconform_numpy.kconform_exp(x)
    eps = float(ml_dtypes.finfo(y.dtype).eps)
    wrong = np.asarray((y.astype(np.float64) * (1 + 300 * eps)).astype(y.dtype))
    return kconform_numpy.kconform_from_numpy(wrong)


@primitive
def _tanh(x):
    return kconform_numpy.kconform_from_numpy(np.asarray(np.tanh(x)))


defvjp(_tanh, lambda ans, x: lambda g: -g * (1 - ans**2))  # Fault 3: wrong sign


def kconform_tanh(x):
    """Fault 3: right values, gradient with the wrong sign."""
    return _tanh(x)


def kconform_add(x1, x2):
    """Fault 4: NumPy's own promotion (int32 + float32 -> float64)."""
    return anp.add(x1, x2)


def kconform_matmul(x1, x2):
    """Fault 5: mismatched inner dimensions silently truncated instead of raising."""
    if np.ndim(x1) >= 1 and np.ndim(x2) >= 2 and np.shape(x1)[-1] != np.shape(x2)[-2]:
        k = min(np.shape(x1)[-1], np.shape(x2)[-2])
        x1, x2 = x1[..., :k], x2[..., :k, :]
    return kconform_numpy.kconform_matmul(x1, x2)


def kconform_random_uniform(shape, minval, maxval, dtype, seed):
    """Fault 6: a draw that rounds up to maxval in float16 is kept (half-open
    interval broken)."""
    from kconform.dtypes import to_numpy_dtype

    u = np.random.default_rng(seed).random(tuple(shape))
    values = (minval + (maxval - minval) * u).astype(to_numpy_dtype(dtype))
    return kconform_numpy.kconform_from_numpy(values)


def kconform_sin(x):
    """Fault 7: sin 300 ULPs off (autodiff itself stays exact)."""
    y = kconform_numpy.kconform_sin(x)
    eps = float(ml_dtypes.finfo(y.dtype).eps)
    wrong = np.asarray((y.astype(np.float64) * (1 + 300 * eps)).astype(y.dtype))
    return kconform_numpy.kconform_from_numpy(wrong)
