"""A backend being brought up: its tensor hooks and a dozen ops, nothing else.

The ops are the NumPy reference's; every other op of the contract is absent.
"""

from __future__ import annotations

import kconform_numpy

#: The ops written so far (besides the essential hooks).
WRITTEN = (
    "add",
    "subtract",
    "multiply",
    "divide",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "abs",
    "negative",
    "maximum",
    "minimum",
)

for _op in ("from_numpy", "to_numpy", "is_tensor", *WRITTEN):
    globals()[f"kconform_{_op}"] = getattr(kconform_numpy, f"kconform_{_op}")


def kconform_backend_info():
    return {**kconform_numpy.kconform_backend_info(), "name": "bringup"}


def kconform_capabilities():
    return ["float64"]
