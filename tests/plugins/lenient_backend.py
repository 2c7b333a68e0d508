"""The NumPy reference with shape checks that are too lenient.

Each op accepts a call that breaks one shape rule only: matmul broadcasts a
contracted dimension of 1 against k, pad ignores pairs beyond the rank, einsum
cuts operands to the smallest size of a shared batch label, conv2d cuts a kernel's
extra input channels. The hand-picked invalid calls break several rules or
other ones and still raise, so only the error cases generated from the shape
rules (kconform/oracle/shape_rules.py) catch them (tests/harness/test_faults.py).
"""

from __future__ import annotations

import kconform_numpy
import numpy as np
from numpy_based import numpy_hooks

globals().update(numpy_hooks("lenient"))


def kconform_matmul(x1, x2):
    """A contracted dimension of 1 in the second operand is broadcast to k."""
    a, b = np.asarray(x1), np.asarray(x2)
    if a.ndim >= 1 and b.ndim >= 2 and b.shape[-2] == 1 and a.shape[-1] != 1:
        b = np.broadcast_to(b, b.shape[:-2] + (a.shape[-1], b.shape[-1]))
    return kconform_numpy.kconform_matmul(
        kconform_numpy.kconform_from_numpy(a), kconform_numpy.kconform_from_numpy(b)
    )


def kconform_pad(x, pad_width, constant_value):
    """Pairs beyond the rank are ignored (``zip`` of axes and pairs)."""
    a = np.asarray(x)
    pairs = [p for _, p in zip(range(a.ndim), pad_width)]
    return kconform_numpy.kconform_pad(
        kconform_numpy.kconform_from_numpy(a), tuple(pairs), constant_value
    )


def kconform_einsum(subscripts, operands):
    """Operands cut to the smallest size of each shared *output* label (a batch
    axis); contracted labels are checked, as a hand-picked case expects."""
    arrays = [np.asarray(o) for o in operands]
    inputs, output = subscripts.split("->")
    inputs = inputs.split(",")
    sizes: dict[str, int] = {}
    for labels, a in zip(inputs, arrays):
        if len(labels) != a.ndim:
            raise ValueError(f"operand {a.shape} does not match {labels!r}")
        for label, n in zip(labels, a.shape):
            if label not in output and sizes.get(label, n) != n:
                raise ValueError(f"label {label!r}: {sizes[label]} vs {n}")
            sizes[label] = min(sizes.get(label, n), n)
    cut = [
        a[tuple(slice(0, sizes[label]) for label in labels)]
        for labels, a in zip(inputs, arrays)
    ]
    return kconform_numpy.kconform_einsum(
        subscripts, [kconform_numpy.kconform_from_numpy(c) for c in cut]
    )


def kconform_conv2d(x, kernel, strides, padding, dilation):
    """A kernel with more input channels than the input is cut to them."""
    a, k = np.asarray(x), np.asarray(kernel)
    if k.ndim == 4 and k.shape[2] > a.shape[-1]:
        k = k[:, :, : a.shape[-1], :]
    return kconform_numpy.kconform_conv2d(
        kconform_numpy.kconform_from_numpy(a),
        kconform_numpy.kconform_from_numpy(k),
        strides,
        padding,
        dilation,
    )
