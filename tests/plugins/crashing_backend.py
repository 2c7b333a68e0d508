"""The NumPy reference whose ``tanh`` aborts the interpreter (a segfault's cousin).

``kconform run`` must mark the ``tanh`` case ``crashed`` with the signal and
the session's last stderr lines, the backend's remaining cases ``not-run``,
and run every other backend in full (tests/cli/test_run.py).
"""

from __future__ import annotations

import os

import kconform_numpy

globals().update(
    {
        k: getattr(kconform_numpy, k)
        for k in dir(kconform_numpy)
        if k.startswith("kconform_")
    }
)


def kconform_backend_info():
    return {**kconform_numpy.kconform_backend_info(), "name": "crashing"}


def kconform_deviations():
    return []


def kconform_tanh(x):
    """Crashes: SIGABRT, as a native extension's failed assertion would."""
    os.abort()
