"""The NumPy reference whose ``exp`` never returns: a plugin that hangs in one op.

``kconform run --timeout S`` must kill its session after S seconds in the
``exp`` case, mark that case ``timeout`` and the backend's remaining cases
``not-run``, and run every other backend in full (tests/cli/test_run.py).
"""

from __future__ import annotations

import time

import kconform_numpy

globals().update(
    {
        k: getattr(kconform_numpy, k)
        for k in dir(kconform_numpy)
        if k.startswith("kconform_")
    }
)


def kconform_backend_info():
    return {**kconform_numpy.kconform_backend_info(), "name": "hanging"}


def kconform_deviations():
    return []


def kconform_exp(x):
    """Hangs: sleeps forever (a deadlock, a lost device, an infinite loop)."""
    while True:
        time.sleep(3600)
