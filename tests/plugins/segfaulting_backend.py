"""The NumPy reference whose ``tanh`` reads address 0: a real segmentation fault.

``kconform run`` must mark that case ``crashed`` with SIGSEGV, the backend's
remaining cases ``not-run``, and run the other backends in full
(tests/cli/test_run.py).
"""

from __future__ import annotations

import ctypes

from numpy_based import numpy_hooks

globals().update(numpy_hooks("segfaulting"))


def kconform_tanh(x):
    """Crashes: dereferences a null pointer, as a buggy native kernel would."""
    return ctypes.string_at(0)
