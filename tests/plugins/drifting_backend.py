"""The NumPy reference with a fault only training reaches: a large-tensor path.

``sqrt`` of a tensor of 8192 elements or more (the blocked path a real kernel
takes for big inputs) is 0.1% too large. Every op case uses small tensors and
passes; RMSprop's update of the MLP's 784x64 kernel divides by it, so the
training still converges (the loss falls, every stage's own checks pass) but
drifts from the float64 reference of the lifecycle stages.
"""

from __future__ import annotations

import kconform_numpy
import numpy as np
from numpy_based import numpy_hooks

globals().update(numpy_hooks("drifting"))


def kconform_sqrt(x):
    y = kconform_numpy.kconform_sqrt(x)
    if np.size(y) < 8192 or not isinstance(y, np.ndarray):
        return y
    return kconform_numpy.kconform_from_numpy((y * (1 + 1e-3)).astype(y.dtype))
