"""Specs of convolution and pooling (channels-last) with a tap-by-tap float64 oracle."""

from __future__ import annotations

import itertools

import autograd.numpy as anp
import numpy as np

from kconform.dtypes import FLOATS
from kconform.oracle.shape_rules import channel_mismatches
from kconform.oracle.spec import Bound, Exact, OpSpec

from .shape import _errors, _generated, _samples, r


def same_padding(n: int, k: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding of one axis: ``(before, after)``."""
    out = -(-n // stride)
    total = max((out - 1) * stride + dilation * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _pad_spatial(x, pads, value):
    """Pad axes 1..len(pads) of ``x`` with ``value``, by concatenation for autograd."""
    for axis, (before, after) in enumerate(pads, start=1):
        shape = list(anp.shape(x))
        parts = []
        if before:
            parts.append(np.full(shape[:axis] + [before] + shape[axis + 1 :], value))
        parts.append(x)
        if after:
            parts.append(np.full(shape[:axis] + [after] + shape[axis + 1 :], value))
        x = anp.concatenate(parts, axis=axis) if len(parts) > 1 else x
    return x


def _windows(x, window, strides, dilation, padding, pad_value):
    """Yield ``(tap, view)``: per window tap, the strided view of the padded input."""
    spatial = anp.shape(x)[1:-1]
    if padding == "same":
        pads = [
            same_padding(n, k, s, d)
            for n, k, s, d in zip(spatial, window, strides, dilation)
        ]
    else:
        pads = [(0, 0)] * len(spatial)
    x = _pad_spatial(x, pads, pad_value)
    padded = anp.shape(x)[1:-1]
    out = [
        (n - d * (k - 1) - 1) // s + 1
        for n, k, s, d in zip(padded, window, strides, dilation)
    ]
    for tap in itertools.product(*(range(k) for k in window)):
        index = tuple(
            slice(t * d, t * d + (o - 1) * s + 1, s)
            for t, d, o, s in zip(tap, dilation, out, strides)
        )
        yield tap, x[(slice(None),) + index + (slice(None),)]


def _conv(x, kernel, strides, padding, dilation):
    window = anp.shape(kernel)[:-2]
    acc = 0.0
    for tap, view in _windows(x, window, strides, dilation, padding, 0.0):
        acc = acc + anp.matmul(
            view, kernel[tap]
        )  # (batch, *out, in) @ (in, out_channels)
    return acc


def _conv1d(x, kernel, strides, padding, dilation):
    return _conv(x, kernel, (strides,), padding, (dilation,))


def _conv2d(x, kernel, strides, padding, dilation):
    return _conv(x, kernel, tuple(strides), padding, tuple(dilation))


def _conv_scale(conv):
    def scale(x, kernel, strides, padding, dilation):
        n = int(np.prod(np.shape(kernel)[:-1]))
        return n * conv(np.abs(x), np.abs(kernel), strides, padding, dilation)

    return scale


def _max_pool(x, pool_size, strides, padding):
    strides = tuple(strides or pool_size)
    acc = None
    for _, view in _windows(x, tuple(pool_size), strides, (1, 1), padding, -np.inf):
        acc = view if acc is None else anp.maximum(acc, view)
    return acc


def _avg_pool(x, pool_size, strides, padding):
    strides = tuple(strides or pool_size)

    def window_sum(v):
        acc = 0.0
        for _, view in _windows(v, tuple(pool_size), strides, (1, 1), padding, 0.0):
            acc = acc + view
        return acc

    count = window_sum(np.ones(np.shape(x)[:3] + (1,)))  # padded positions do not count
    return window_sum(x) / count


def _avg_scale(x, pool_size, strides, padding):
    return (int(np.prod(pool_size)) + 1) * _avg_pool(
        np.abs(x), pool_size, strides, padding
    )


_POOL_CASES = _samples(
    ("2x2 valid", lambda g, d: (r(2, 6, 7, 3)(g, d), (2, 2), None, "valid")),
    ("3x3 stride 2 same", lambda g, d: (r(2, 6, 7, 3)(g, d), (3, 3), (2, 2), "same")),
    (
        "2x3 stride (1,2) valid",
        lambda g, d: (r(1, 5, 8, 2)(g, d), (2, 3), (1, 2), "valid"),
    ),
    ("3x3 stride 1 same", lambda g, d: (r(1, 4, 5, 2)(g, d), (3, 3), (1, 1), "same")),
)
_POOL_ERRORS = _errors(
    ("padding 'full'", lambda g, d: (r(1, 4, 4, 2)(g, d), (2, 2), None, "full")),
    ("rank-3 input", lambda g, d: (r(4, 4, 2)(g, d), (2, 2), None, "valid")),
)


def _channel_mutations(rng, args):
    """Each canonical call with the kernel's input channels made wrong, nothing else."""
    x, kernel, *rest = args
    return [
        ((x, r(*k)(rng, "float32"), *rest), f"{label} (strides {rest[0]}, {rest[1]})")
        for _, k, label in channel_mismatches(np.shape(x), np.shape(kernel))
    ]


_conv1d_samples = _samples(
    (
        "k3 valid",
        lambda g, d: (r(2, 9, 3)(g, d), r(3, 3, 4)(g, d), 1, "valid", 1),
    ),
    (
        "k3 stride 2 same",
        lambda g, d: (r(2, 9, 3)(g, d), r(3, 3, 4)(g, d), 2, "same", 1),
    ),
    (
        "k3 dilation 2 same",
        lambda g, d: (r(2, 9, 3)(g, d), r(3, 3, 4)(g, d), 1, "same", 2),
    ),
    (
        "k4 stride 3 same",
        lambda g, d: (r(1, 10, 2)(g, d), r(4, 2, 3)(g, d), 3, "same", 1),
    ),
    (
        "k2 stride 2 dilation 2 valid",
        lambda g, d: (r(2, 11, 3)(g, d), r(2, 3, 2)(g, d), 2, "valid", 2),
    ),
)


_conv2d_samples = _samples(
    (
        "3x3 valid",
        lambda g, d: (
            r(2, 7, 8, 3)(g, d),
            r(3, 3, 3, 4)(g, d),
            (1, 1),
            "valid",
            (1, 1),
        ),
    ),
    (
        "3x3 stride 2 same",
        lambda g, d: (
            r(2, 7, 8, 3)(g, d),
            r(3, 3, 3, 4)(g, d),
            (2, 2),
            "same",
            (1, 1),
        ),
    ),
    (
        "3x3 dilation 2 same",
        lambda g, d: (
            r(1, 7, 8, 2)(g, d),
            r(3, 3, 2, 3)(g, d),
            (1, 1),
            "same",
            (2, 2),
        ),
    ),
    (
        "2x2 stride (2,1) same",
        lambda g, d: (
            r(1, 6, 5, 2)(g, d),
            r(2, 2, 2, 3)(g, d),
            (2, 1),
            "same",
            (1, 1),
        ),
    ),
    (
        "stride 2 with dilation 2",
        lambda g, d: (
            r(1, 9, 9, 2)(g, d),
            r(2, 2, 2, 2)(g, d),
            (2, 2),
            "valid",
            (2, 2),
        ),
    ),
)


CONV_SPECS = [
    OpSpec(
        "conv1d",
        dtypes=FLOATS,
        reference=_conv1d,
        grad=True,
        budget=Bound(1, _conv_scale(_conv1d)),
        samples=_conv1d_samples,
        errors=_generated(
            _errors(
                (
                    "in_channels 3 vs 4",
                    lambda g, d: (r(2, 9, 3)(g, d), r(3, 4, 2)(g, d), 1, "valid", 1),
                ),
                (
                    "padding 'full'",
                    lambda g, d: (r(2, 9, 3)(g, d), r(3, 3, 2)(g, d), 1, "full", 1),
                ),
                (
                    "rank-2 kernel",
                    lambda g, d: (r(2, 9, 3)(g, d), r(3, 3)(g, d), 1, "valid", 1),
                ),
            ),
            _conv1d_samples,
            _channel_mutations,
        ),
    ),
    OpSpec(
        "conv2d",
        dtypes=FLOATS,
        reference=_conv2d,
        grad=True,
        budget=Bound(1, _conv_scale(_conv2d)),
        samples=_conv2d_samples,
        errors=_generated(
            _errors(
                (
                    "in_channels 3 vs 2",
                    lambda g, d: (
                        r(1, 5, 5, 3)(g, d),
                        r(3, 3, 2, 2)(g, d),
                        (1, 1),
                        "valid",
                        (1, 1),
                    ),
                ),
                (
                    "padding 'full'",
                    lambda g, d: (
                        r(1, 5, 5, 2)(g, d),
                        r(3, 3, 2, 2)(g, d),
                        (1, 1),
                        "full",
                        (1, 1),
                    ),
                ),
                (
                    "rank-3 kernel",
                    lambda g, d: (
                        r(1, 5, 5, 2)(g, d),
                        r(3, 2, 2)(g, d),
                        (1, 1),
                        "valid",
                        (1, 1),
                    ),
                ),
            ),
            _conv2d_samples,
            _channel_mutations,
        ),
    ),
    OpSpec(
        "max_pool2d",
        dtypes=FLOATS,
        reference=_max_pool,
        grad=True,
        budget=Exact(),
        samples=_POOL_CASES,
        errors=_POOL_ERRORS,
    ),
    OpSpec(
        "avg_pool2d",
        dtypes=FLOATS,
        reference=_avg_pool,
        grad=True,
        budget=Bound(1, _avg_scale),
        samples=_POOL_CASES,
        errors=_POOL_ERRORS,
    ),
]
