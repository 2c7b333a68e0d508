"""Specs of the shape group: data movement is exact, and every mismatch must raise."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np

from kconform.dtypes import ALL
from kconform.oracle.inputs import rand
from kconform.oracle.shape_rules import join_mismatches, pad_width_mismatches
from kconform.oracle.spec import Exact, OpSpec, Sample


def _samples(*cases):
    """A samples function from ``(label, builder(rng, dtype) -> args)`` pairs."""

    def samples(rng: np.random.Generator, dtype: str) -> list[Sample]:
        return [Sample(build(rng, dtype), label) for label, build in cases]

    return samples


def _errors(*cases):
    def errors() -> list[Sample]:
        rng = np.random.default_rng(0)
        return [Sample(build(rng, "float32"), label) for label, build in cases]

    return errors


def _generated(fixed, samples, mutate):
    """The ``fixed`` invalid calls, then each canonical sample made invalid by
    ``mutate(rng, args) -> [(args, label)]``, one shape rule at a time
    (:mod:`kconform.oracle.shape_rules`)."""

    def errors() -> list[Sample]:
        rng = np.random.default_rng(0)
        out = fixed()
        for sample in samples(rng, "float32"):
            out += [Sample(args, label) for args, label in mutate(rng, sample.args)]
        return out

    return errors


def _join_mutations(stacked):
    def mutate(rng, args):
        tensors, axis = args
        shapes = [np.shape(t) for t in tensors]
        return [
            (([rand(rng, s, "float32") for s in changed], axis), label)
            for changed, label in join_mismatches(shapes, axis, stacked)
        ]

    return mutate


_pad_samples = _samples(
    ("((1,2),(0,1)) with 0", lambda g, d: (r(2, 3)(g, d), ((1, 2), (0, 1)), 0)),
    ("((0,0),(2,2)) with 1", lambda g, d: (r(2, 3)(g, d), ((0, 0), (2, 2)), 1)),
    ("3-D", lambda g, d: (r(2, 2, 2)(g, d), ((1, 0), (0, 1), (1, 1)), 0)),
)


def _pad_mutations(rng, args):
    """Each canonical call with one pad pair more (or fewer) than the rank."""
    x, widths, value = args
    return [
        ((x, changed, value), f"{label}: {changed}")
        for changed, label in pad_width_mismatches(np.ndim(x), widths)
    ]


def _idx(values, dtype="int32"):
    return np.asarray(values, dtype=dtype)


def _transpose_ref(x, axes):
    # autograd's transpose gradient mishandles negative axes: normalize them first.
    return anp.transpose(
        x, None if axes is None else tuple(a % anp.ndim(x) for a in axes)
    )


def _take_ref(x, indices, axis):
    if axis is None:
        return anp.reshape(x, (-1,))[indices]
    axis = axis % anp.ndim(x)
    return x[(slice(None),) * axis + (indices,)]


def _take_along_ref(x, indices, axis):
    grid = list(np.indices(indices.shape, sparse=True))
    grid[axis % anp.ndim(x)] = indices
    return x[tuple(grid)]


def _slice_ref(x, start, size):
    return x[tuple(slice(b, b + n) for b, n in zip(start, size))]


def _pad_ref(x, pad_width, constant_value):
    for axis, (before, after) in enumerate(pad_width):
        shape = list(anp.shape(x))
        parts = []
        if before:
            parts.append(
                np.full(shape[:axis] + [before] + shape[axis + 1 :], constant_value)
            )
        parts.append(x)
        if after:
            parts.append(
                np.full(shape[:axis] + [after] + shape[axis + 1 :], constant_value)
            )
        x = anp.concatenate(parts, axis=axis)
    return x


def _broadcast_ref(x, shape):
    return x * np.ones(shape)  # broadcasting multiply: autograd sums the gradient back


def _concat_ref(xs, axis):
    return anp.concatenate(xs, axis=axis)


def _stack_ref(xs, axis):
    return anp.stack(xs, axis=axis)


def _split_ref(x, sections, axis):
    return list(
        anp.split(x, sections if isinstance(sections, int) else list(sections), axis)
    )


def spec(op, reference, samples, errors=None, grad=True, dtypes=ALL):
    return OpSpec(
        op,
        dtypes=dtypes,
        samples=samples,
        reference=reference,
        budget=Exact(),
        grad=grad,
        errors=errors,
    )


def r(*shape, lo=-3.0, hi=3.0):
    return lambda rng, dtype: rand(rng, shape, dtype, lo, hi)


_CONCAT_SAMPLES = _samples(
    ("axis=0", lambda g, d: ([r(2, 3)(g, d), r(4, 3)(g, d)], 0)),
    ("axis=1", lambda g, d: ([r(2, 3)(g, d), r(2, 5)(g, d)], 1)),
    (
        "three, axis=-1",
        lambda g, d: ([r(2, 1)(g, d), r(2, 2)(g, d), r(2, 3)(g, d)], -1),
    ),
    ("one tensor", lambda g, d: ([r(2, 3)(g, d)], 0)),
)
_STACK_SAMPLES = _samples(
    ("axis=0", lambda g, d: ([r(2, 3)(g, d), r(2, 3)(g, d)], 0)),
    (
        "axis=-1",
        lambda g, d: ([r(2, 3)(g, d), r(2, 3)(g, d), r(2, 3)(g, d)], -1),
    ),
    ("axis=1 of scalars", lambda g, d: ([r(4)(g, d), r(4)(g, d)], 1)),
)

SPECS = [
    spec(
        "reshape",
        lambda x, s: anp.reshape(x, s),
        _samples(
            ("(2,3,4) to (6,4)", lambda g, d: (r(2, 3, 4)(g, d), (6, 4))),
            ("(2,3,4) to (24,)", lambda g, d: (r(2, 3, 4)(g, d), (24,))),
            ("(2,3,4) to (4,-1)", lambda g, d: (r(2, 3, 4)(g, d), (4, -1))),
            ("() to (1,1)", lambda g, d: (r()(g, d), (1, 1))),
            ("(0,3) to (3,0)", lambda g, d: (r(0, 3)(g, d), (3, 0))),
        ),
        _errors(
            ("size 6 to (4,2)", lambda g, d: (r(2, 3)(g, d), (4, 2))),
            ("two -1 entries", lambda g, d: (r(2, 3)(g, d), (-1, -1))),
        ),
    ),
    spec(
        "transpose",
        _transpose_ref,
        _samples(
            ("axes=None", lambda g, d: (r(2, 3, 4)(g, d), None)),
            ("axes=(1,0,2)", lambda g, d: (r(2, 3, 4)(g, d), (1, 0, 2))),
            ("axes=(2,0,1)", lambda g, d: (r(2, 3, 4)(g, d), (2, 0, 1))),
            ("axes=(-1,0,1)", lambda g, d: (r(2, 3, 4)(g, d), (-1, 0, 1))),
        ),
        _errors(
            ("repeated axis", lambda g, d: (r(2, 3, 4)(g, d), (0, 0, 1))),
            ("too few axes", lambda g, d: (r(2, 3, 4)(g, d), (0, 1))),
        ),
    ),
    spec(
        "expand_dims",
        lambda x, a: anp.expand_dims(x, a),
        _samples(
            ("axis=0", lambda g, d: (r(2, 3)(g, d), 0)),
            ("axis=2", lambda g, d: (r(2, 3)(g, d), 2)),
            ("axis=-1", lambda g, d: (r(2, 3)(g, d), -1)),
            ("scalar", lambda g, d: (r()(g, d), 0)),
        ),
        _errors(("axis=4 for rank 2", lambda g, d: (r(2, 3)(g, d), 4))),
    ),
    spec(
        "squeeze",
        lambda x, a: anp.squeeze(x, a),
        _samples(
            ("axis=None", lambda g, d: (r(1, 3, 1, 4)(g, d), None)),
            ("axis=0", lambda g, d: (r(1, 3, 1, 4)(g, d), 0)),
            ("axis=(0,2)", lambda g, d: (r(1, 3, 1, 4)(g, d), (0, 2))),
            ("axis=-2", lambda g, d: (r(1, 3, 1, 4)(g, d), -2)),
        ),
        _errors(("axis of length 3", lambda g, d: (r(1, 3, 1, 4)(g, d), 1))),
    ),
    spec(
        "concatenate",
        _concat_ref,
        _CONCAT_SAMPLES,
        _generated(
            _errors(
                ("other axes differ", lambda g, d: ([r(2, 3)(g, d), r(2, 4)(g, d)], 0)),
                ("ranks differ", lambda g, d: ([r(2, 3)(g, d), r(3)(g, d)], 0)),
            ),
            _CONCAT_SAMPLES,
            _join_mutations(stacked=False),
        ),
    ),
    spec(
        "stack",
        _stack_ref,
        _STACK_SAMPLES,
        _generated(
            _errors(
                ("shapes differ", lambda g, d: ([r(2, 3)(g, d), r(3, 2)(g, d)], 0))
            ),
            _STACK_SAMPLES,
            _join_mutations(stacked=True),
        ),
    ),
    spec(
        "split",
        _split_ref,
        _samples(
            ("3 sections of axis 0", lambda g, d: (r(6, 4)(g, d), 3, 0)),
            ("at (1, 4)", lambda g, d: (r(6, 4)(g, d), (1, 4), 0)),
            ("2 sections of axis -1", lambda g, d: (r(3, 6)(g, d), 2, -1)),
        ),
        _errors(("5 does not split in 2", lambda g, d: (r(5, 4)(g, d), 2, 0))),
        grad=False,
    ),
    spec(
        "take",
        _take_ref,
        _samples(
            ("axis=0", lambda g, d: (r(5, 4)(g, d), _idx([4, 0, 2, 2]), 0)),
            (
                "negative indices count from the end",
                lambda g, d: (r(5, 4)(g, d), _idx([-1, -5, 3, -2]), 0),
            ),
            (
                "2-D indices, axis=1",
                lambda g, d: (r(5, 4)(g, d), _idx([[0, 3], [1, 1]]), 1),
            ),
            (
                "axis=None",
                lambda g, d: (r(3, 4)(g, d), _idx([11, 0, 5], "int64"), None),
            ),
            (
                "axis=-1, int64",
                lambda g, d: (r(2, 3, 4)(g, d), _idx([3, 1], "int64"), -1),
            ),
        ),
        _errors(
            ("index 5 on length 5", lambda g, d: (r(5, 4)(g, d), _idx([0, 5]), 0)),
            ("index -6 on length 5", lambda g, d: (r(5, 4)(g, d), _idx([-6]), 0)),
            ("index 12 of 12 flat", lambda g, d: (r(3, 4)(g, d), _idx([12]), None)),
        ),
    ),
    spec(
        "take_along_axis",
        _take_along_ref,
        _samples(
            ("axis=1", lambda g, d: (r(3, 4)(g, d), _idx([[0, 3], [1, 1], [2, 0]]), 1)),
            ("axis=0", lambda g, d: (r(3, 4)(g, d), _idx([[2, 0, 1, 1]]), 0)),
            (
                "negative indices count from the end",
                lambda g, d: (r(3, 4)(g, d), _idx([[-1, -4], [0, -2], [3, -3]]), 1),
            ),
            (
                "axis=-1, int64",
                lambda g, d: (
                    r(2, 3, 4)(g, d),
                    _idx(np.zeros((2, 3, 1)) + 3, "int64"),
                    -1,
                ),
            ),
        ),
        _errors(
            (
                "index 4 on length 4",
                lambda g, d: (r(3, 4)(g, d), _idx([[4], [0], [0]]), 1),
            ),
            (
                "index -5 on length 4",
                lambda g, d: (r(3, 4)(g, d), _idx([[-5], [0], [0]]), 1),
            ),
        ),
    ),
    spec(
        "slice",
        _slice_ref,
        _samples(
            ("inner block", lambda g, d: (r(4, 5, 6)(g, d), (1, 0, 2), (2, 5, 3))),
            ("whole", lambda g, d: (r(3, 4)(g, d), (0, 0), (3, 4))),
            ("empty", lambda g, d: (r(3, 4)(g, d), (1, 2), (0, 2))),
        ),
        _errors(
            ("block past the end", lambda g, d: (r(3, 4)(g, d), (2, 0), (2, 4))),
            ("negative start", lambda g, d: (r(3, 4)(g, d), (-1, 0), (1, 4))),
        ),
    ),
    spec(
        "pad",
        _pad_ref,
        _pad_samples,
        _generated(
            _errors(
                ("negative width", lambda g, d: (r(2, 3)(g, d), ((-1, 0), (0, 0)), 0))
            ),
            _pad_samples,
            _pad_mutations,
        ),
    ),
    spec(
        "broadcast_to",
        _broadcast_ref,
        _samples(
            ("(3,1) to (2,3,4)", lambda g, d: (r(3, 1)(g, d), (2, 3, 4))),
            ("(4,) to (3,4)", lambda g, d: (r(4)(g, d), (3, 4))),
            ("() to (2,2)", lambda g, d: (r()(g, d), (2, 2))),
        ),
        _errors(
            ("(3,) to (4,)", lambda g, d: (r(3)(g, d), (4,))),
            ("(2,3) to (3,)", lambda g, d: (r(2, 3)(g, d), (3,))),
        ),
    ),
    spec(
        "tile",
        lambda x, reps: anp.tile(x, reps),
        _samples(
            ("(2,1)", lambda g, d: (r(2, 3)(g, d), (2, 1))),
            ("(1,3)", lambda g, d: (r(2, 3)(g, d), (1, 3))),
            ("reps longer than rank", lambda g, d: (r(3)(g, d), (2, 2))),
        ),
    ),
]
