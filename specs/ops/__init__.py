"""Op specs, one module per contract group."""

from __future__ import annotations

from . import autodiff, elementwise, nn, random, reductions, shape, tensors

MODULES = (tensors, elementwise, reductions, shape, nn, random, autodiff)
