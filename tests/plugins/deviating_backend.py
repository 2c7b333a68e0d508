"""NumPy reference, exp 300 ULPs off (declared); plus stale and dangling deviations."""

from __future__ import annotations

import kconform_numpy
from faulty_backend import kconform_exp  # noqa: F401 - the known fault

globals().update(
    {
        k: getattr(kconform_numpy, k)
        for k in dir(kconform_numpy)
        if k.startswith("kconform_") and k != "kconform_exp"
    }
)


def kconform_backend_info():
    return {**kconform_numpy.kconform_backend_info(), "name": "deviating"}


def kconform_capabilities():
    return ["float64"]  # neither float16 nor bfloat16: those cases are unsupported


def kconform_deviations():
    return [
        {"id": "exp[deviating-float*]", "reason": "exp is 300 ULPs off, known"},
        {"id": "relu[deviating-float32]", "reason": "was broken once, fixed since"},
        {"id": "nosuchop[deviating-*]", "reason": "matches nothing"},
        {"id": "relu-special[deviating-*]", "reason": "a pattern whose cases all pass"},
    ]
