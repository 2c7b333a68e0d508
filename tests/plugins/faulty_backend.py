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
from numpy_based import numpy_hooks

globals().update(numpy_hooks("faulty"))


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


# -- faults only the whole-range samples (``-range`` cases) reach ---------------


def kconform_softplus(x):
    """Fault 8: softplus returns x above 10 (right only from about 17 in float32)."""
    y = kconform_numpy.kconform_softplus(x)
    a = np.asarray(y)
    wrong = np.where(np.asarray(x) > 10, np.asarray(x), a).astype(a.dtype)
    return kconform_numpy.kconform_from_numpy(wrong)


def kconform_multiply(x1, x2):
    """Fault 9: a zero product is always +0 (the sign of zero is lost)."""
    y = kconform_numpy.kconform_multiply(x1, x2)
    if not isinstance(y, np.ndarray):  # traced by autograd: left alone
        return y
    wrong = np.where(y == 0, np.zeros_like(y), y)
    return kconform_numpy.kconform_from_numpy(np.asarray(wrong, dtype=y.dtype))


def kconform_cast(x, dtype):
    """Fault 10: float64 to float16 rounds through float32 (double rounding)."""
    if np.asarray(x).dtype == np.float64 and dtype == "float16":
        wrong = np.asarray(x).astype(np.float32).astype(np.float16)
        return kconform_numpy.kconform_from_numpy(wrong)
    return kconform_numpy.kconform_cast(x, dtype)


def kconform_subtract(x1, x2):
    """Fault 11: int64 subtraction computed in int32 (values beyond it wrap)."""
    a, b = np.asarray(x1), np.asarray(x2)
    if a.dtype == np.int64 and b.dtype == np.int64:
        wrong = (a.astype(np.int32) - b.astype(np.int32)).astype(np.int64)
        return kconform_numpy.kconform_from_numpy(wrong)
    return kconform_numpy.kconform_subtract(x1, x2)


def kconform_gelu(x, approximate):
    """Fault 12: half-precision gelu computed in half: its tail cancels to -0."""
    from scipy.special import erf

    a = np.asarray(x)
    if a.dtype != np.float16 or approximate:
        return kconform_numpy.kconform_gelu(x, approximate)
    half = np.float16(0.5) * a * (np.float16(1) + erf(a / np.float16(np.sqrt(2))))
    return kconform_numpy.kconform_from_numpy(np.asarray(half, dtype=np.float16))
