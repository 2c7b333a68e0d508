"""Specs of the linalg and nn groups: products and convolutions vs their sum bound."""

from __future__ import annotations

import autograd.numpy as anp
import autograd.scipy.special as asp
import numpy as np

from kconform.dtypes import FLOATS, INTS, to_numpy_dtype
from kconform.oracle.families import unary
from kconform.oracle.inputs import rand
from kconform.oracle.ranges import reduction_range, unary_range
from kconform.oracle.shape_rules import contraction_mismatches, einsum_mismatches
from kconform.oracle.spec import Bound, Exact, OpSpec, Sample, Ulp

from .conv import CONV_SPECS
from .shape import _errors, _generated, _samples, r

# -- linalg -------------------------------------------------------------------


def _matmul_scale(a, b):
    k = np.shape(a)[-1] if np.ndim(a) else 1
    return k * np.matmul(np.abs(a), np.abs(b))


def _einsum_scale(subscripts, operands):
    inputs, output = subscripts.replace(" ", "").split("->")
    sizes = {}
    for term, op in zip(inputs.split(","), operands):
        sizes.update(zip(term, np.shape(op)))
    summed = [c for c in sizes if c not in output]
    n = int(np.prod([sizes[c] for c in summed])) if summed else 1
    return n * np.einsum(subscripts, *[np.abs(o) for o in operands])


def _einsum_case(subscripts, *shapes):
    return (subscripts, lambda g, d: (subscripts, [rand(g, s, d) for s in shapes]))


# -- activations ----------------------------------------------------------------


def _sigmoid(x):
    # Two branches so that neither overflows: 1/(1+exp(710)) would be 0, not 4.5e-309.
    with np.errstate(over="ignore"):
        e = anp.exp(-anp.abs(x))
    return anp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _gelu(x, approximate):
    # Forms without the cancellation of 1 + erf(x / sqrt 2) and 1 + tanh(z) at x < 0.
    if approximate:
        return x * _sigmoid(2.0 * np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3))
    return 0.5 * x * asp.erfc(-x / np.sqrt(2.0))


def _gelu_scale(x, approximate):
    # The textbook formula loses |x| u to the cancellation in 1 + erf(x / sqrt 2)
    # for x < 0.
    return 4.0 * np.abs(x)


def _softmax(x, axis):
    e = anp.exp(x - anp.max(x, axis=axis, keepdims=True))
    return e / anp.sum(e, axis=axis, keepdims=True)


def _log_softmax(x, axis):
    m = anp.max(x, axis=axis, keepdims=True)
    return x - m - anp.log(anp.sum(anp.exp(x - m), axis=axis, keepdims=True))


def _softmax_scale(x, axis):
    n = np.shape(x)[axis]
    shifted = np.abs(x - np.max(x, axis=axis, keepdims=True))
    return (n + np.where(np.isfinite(shifted), shifted, 0.0)) * np.abs(
        _softmax(x, axis)
    )


def _log_softmax_scale(x, axis):
    n = np.shape(x)[axis]
    return n + np.abs(x) + np.abs(_log_softmax(x, axis))


def _axis_samples(rng, dtype):
    return [
        Sample((rand(rng, (3, 5), dtype), -1), "(3,5) axis=-1"),
        Sample((rand(rng, (3, 5), dtype), 0), "(3,5) axis=0"),
        Sample((rand(rng, (2, 3, 4), dtype), 1), "(2,3,4) axis=1"),
        Sample((rand(rng, (6,), dtype), 0), "(6,) axis=0"),
        Sample((rand(rng, (2, 4), dtype, 50.0, 60.0), -1), "large logits, no overflow"),
    ]


def _axis_special(dtype):
    x = np.array([[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf], [0.5, 0.5, 0.5]])
    return [
        Sample((x.astype(to_numpy_dtype(dtype)), -1), "-inf logits get probability 0")
    ]


def _one_hot_ref(indices, num_classes, dtype):
    return (indices[..., None] == np.arange(num_classes)).astype(np.float64)


def _one_hot_samples(rng, dtype):
    return [
        Sample((np.array([0, 3, 1, 1], dtype=np.int32), 4, dtype), "(4,) int32"),
        Sample((np.array([[2, 0], [1, 2]], dtype=np.int64), 3, dtype), "(2,2) int64"),
        Sample(
            (np.array([-1, 4, 2], dtype=np.int32), 4, dtype), "out of range gives zeros"
        ),
    ]


def _batch_norm(x, mean, variance, offset, scale, epsilon):
    y = (x - mean) / anp.sqrt(variance + epsilon)
    y = y if scale is None else y * scale
    return y if offset is None else y + offset


def _batch_norm_scale(x, mean, variance, offset, scale, epsilon):
    inv = 1.0 / np.sqrt(variance + epsilon)
    s = 1.0 if scale is None else np.abs(scale)
    return 8.0 * (np.abs(x) + np.abs(mean)) * inv * s + (
        0.0 if offset is None else np.abs(offset)
    )


def _batch_norm_samples(rng, dtype):
    def stats(c):
        return (rand(rng, (c,), dtype, -1, 1), rand(rng, (c,), dtype, 0.5, 2.0))

    m5, v5 = stats(5)
    m3, v3 = stats(3)
    return [
        Sample(
            (
                rand(rng, (4, 5), dtype),
                m5,
                v5,
                rand(rng, (5,), dtype),
                rand(rng, (5,), dtype, 0.5, 2),
                1e-3,
            ),
            "(4,5) all terms",
        ),
        Sample(
            (rand(rng, (2, 3, 4, 3), dtype), m3, v3, None, None, 1e-5),
            "no offset/scale",
        ),
        Sample(
            (rand(rng, (6, 3), dtype), m3, v3, rand(rng, (3,), dtype), None, 1e-3),
            "offset only",
        ),
    ]


_matmul_samples = _samples(
    ("(3,4)@(4,5)", lambda g, d: (r(3, 4)(g, d), r(4, 5)(g, d))),
    ("(2,3,4)@(4,2)", lambda g, d: (r(2, 3, 4)(g, d), r(4, 2)(g, d))),
    ("batch broadcast", lambda g, d: (r(2, 1, 3, 4)(g, d), r(3, 4, 2)(g, d))),
    ("(4,)@(4,3)", lambda g, d: (r(4)(g, d), r(4, 3)(g, d))),
    ("(3,4)@(4,)", lambda g, d: (r(3, 4)(g, d), r(4)(g, d))),
    ("(4,)@(4,)", lambda g, d: (r(4)(g, d), r(4)(g, d))),
    ("long inner dim", lambda g, d: (r(2, 300)(g, d), r(300, 3)(g, d))),
)
_matmul_fixed_errors = _errors(
    ("inner dims 4 and 5", lambda g, d: (r(3, 4)(g, d), r(5, 2)(g, d))),
    ("batch dims 2 and 3", lambda g, d: (r(2, 3, 4)(g, d), r(3, 4, 2)(g, d))),
    ("(3,4)@(3,4)", lambda g, d: (r(3, 4)(g, d), r(3, 4)(g, d))),
    ("scalar operand", lambda g, d: (r()(g, d), r(3, 4)(g, d))),
)


def _contraction_mutations(rng, args):
    """Each canonical shape pair with its contracted dimensions made to differ
    (1 against k included), nothing else."""
    s1, s2 = (np.shape(a) for a in args)
    return [
        ((r(*t1)(rng, "float32"), r(*t2)(rng, "float32")), label)
        for t1, t2, label in contraction_mismatches(s1, s2)
    ]


def _einsum_mutations(rng, args):
    """Each canonical call with one label's sizes, or one operand's rank, wrong."""
    subscripts, operands = args
    return [
        ((subscripts, [r(*shape)(rng, "float32") for shape in shapes]), label)
        for shapes, label in einsum_mismatches(
            subscripts, [np.shape(o) for o in operands]
        )
    ]


_einsum_samples = _samples(
    _einsum_case("ij,jk->ik", (3, 4), (4, 5)),
    _einsum_case("bij,bjk->bik", (2, 3, 4), (2, 4, 2)),
    _einsum_case("ij->ji", (3, 4)),
    _einsum_case("i,i->", (6,), (6,)),
    _einsum_case("ij,j->i", (3, 4), (4,)),
    _einsum_case("bhqd,bhkd->bhqk", (1, 2, 3, 4), (1, 2, 5, 4)),
)


SPECS = [
    OpSpec(
        "matmul",
        dtypes=FLOATS + INTS,
        reference=anp.matmul,
        grad=True,
        budget=Bound(1, _matmul_scale),
        samples=_matmul_samples,
        errors=_generated(
            _matmul_fixed_errors, _matmul_samples, _contraction_mutations
        ),
    ),
    OpSpec(
        "einsum",
        dtypes=FLOATS,
        reference=lambda s, ops: anp.einsum(s, *ops),
        grad=True,
        budget=Bound(1, _einsum_scale),
        samples=_einsum_samples,
        errors=_generated(
            _errors(
                (
                    "ij,jk->ik with (3,4),(5,2)",
                    lambda g, d: ("ij,jk->ik", [r(3, 4)(g, d), r(5, 2)(g, d)]),
                ),
                ("too few operands", lambda g, d: ("ij,jk->ik", [r(3, 4)(g, d)])),
            ),
            _einsum_samples,
            _einsum_mutations,
        ),
    ),
    unary("relu", lambda x: anp.maximum(x, 0.0), budget=Exact(), signed_zeros=False),
    unary(
        "sigmoid",
        _sigmoid,
        budget=Ulp(4),
        domain=(-8.0, 8.0),
        branches=(0.0,),
        extra_special=(20.0, -20.0, 40.0, -40.0, -88.0, -89.0, -710.0),
    ),
    unary(
        "softplus",
        lambda x: anp.logaddexp(0.0, x),
        budget=Ulp(4),
        domain=(-8.0, 8.0),
        branches=(0.0,),
        extra_special=(20.0, -20.0, 40.0, -40.0, 100.0, -100.0),
    ),
    OpSpec(
        "gelu",
        dtypes=FLOATS,
        reference=_gelu,
        grad=True,
        # Half precision is computed in float32 and rounded: gelu(-3.5) is
        # -8.1e-4 in float16, not the -0.0 of 1 + erf(x / sqrt 2) in float16.
        budget=Bound(1, _gelu_scale, half_in_float32=True),
        range=lambda d: [
            s
            for a in (False, True)
            for s in unary_range("gelu", _gelu, branches=(0.0,), rest=(a,))(d)
        ],
        samples=lambda g, d: [
            Sample((rand(g, (4, 6), d, -4, 4), a), f"approximate={a}")
            for a in (False, True)
        ],
    ),
    OpSpec(
        "softmax",
        dtypes=FLOATS,
        reference=_softmax,
        grad=True,
        budget=Bound(1, _softmax_scale, tail=True),
        range=reduction_range("softmax", _softmax, "any", rest=(-1,)),
        samples=_axis_samples,
        special=_axis_special,
    ),
    OpSpec(
        "log_softmax",
        dtypes=FLOATS,
        reference=_log_softmax,
        grad=True,
        budget=Bound(1, _log_softmax_scale),
        range=reduction_range("log_softmax", _log_softmax, "any", rest=(-1,)),
        samples=_axis_samples,
    ),
    OpSpec(
        "one_hot",
        dtypes=FLOATS + INTS,
        reference=_one_hot_ref,
        samples=_one_hot_samples,
        budget=Exact(),
    ),
    OpSpec(
        "batch_norm",
        dtypes=FLOATS,
        reference=_batch_norm,
        grad=True,
        budget=Bound(1, _batch_norm_scale),
        samples=_batch_norm_samples,
    ),
    *CONV_SPECS,
]
