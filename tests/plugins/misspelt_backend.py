"""A backend whose author misspelt one hook name (kconform_sofmax)."""

from __future__ import annotations

import kconform_numpy

globals().update(
    {
        k: getattr(kconform_numpy, k)
        for k in dir(kconform_numpy)
        if k.startswith("kconform_")
    }
)


def kconform_backend_info():
    return {**kconform_numpy.kconform_backend_info(), "name": "misspelt"}


def kconform_sofmax(x, axis):
    return kconform_numpy.kconform_softmax(x, axis)
