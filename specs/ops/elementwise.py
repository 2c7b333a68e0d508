"""Elementwise-group specs: arithmetic, transcendental, rounding, comparisons, logic."""

from __future__ import annotations

import autograd.numpy as anp
import autograd.scipy.special as asp
import numpy as np

from kconform.dtypes import FLOATS, NUMERIC
from kconform.oracle.families import BINARY_SHAPES, binary, unary
from kconform.oracle.inputs import rand
from kconform.oracle.spec import OpSpec, Sample, Ulp

SIGNED = ("float16", "bfloat16", "float32", "float64", "int32", "int64")
#: Correctly rounded ops: the float64 oracle rounded to the dtype is within 0.5 ULP.
ROUNDED = Ulp(1)
#: Transcendental functions: libm-quality implementations stay within a few ULPs.
TRANSCENDENTAL = Ulp(4)
ROUNDING_TIES = (1.5, 2.5, -2.5, -0.5, 3.5, 0.49999997, 1e4 + 0.5)


def _bool(d: str) -> str:
    return "bool"


def _clip_ref(x, x_min, x_max):
    y = x if x_min is None else anp.maximum(x, x_min)
    return y if x_max is None else anp.minimum(y, x_max)


def _clip_samples(rng: np.random.Generator, dtype: str) -> list[Sample]:
    x = rand(rng, (4, 5), dtype)
    conv = int if dtype.startswith("int") else float
    return [
        Sample((x, conv(-1), conv(1)), "x_min=-1 x_max=1"),
        Sample((x, None, conv(1)), "x_min=None x_max=1"),
        Sample((x, conv(-1), None), "x_min=-1 x_max=None"),
        Sample((x, conv(1), conv(-1)), "x_min > x_max gives x_max"),
    ]


def _where_ref(condition, x1, x2):
    # autograd's where does not unbroadcast its gradients: broadcast explicitly first.
    shape = np.broadcast_shapes(np.shape(condition), np.shape(x1), np.shape(x2))
    ones = np.ones(shape)
    return anp.where(np.broadcast_to(condition, shape), x1 * ones, x2 * ones)


def _where_samples(rng: np.random.Generator, dtype: str) -> list[Sample]:
    out = []
    for s1, s2 in BINARY_SHAPES:
        cond = rand(rng, s1, "bool")
        out.append(
            Sample(
                (cond, rand(rng, s1, dtype), rand(rng, s2, dtype)), f"{s1} with {s2}"
            )
        )
    out.append(
        Sample(
            (rand(rng, (3, 1), "bool"), rand(rng, (1, 4), dtype), rand(rng, (), dtype)),
            "condition broadcast too",
        )
    )
    return out


def _where_errors() -> list[Sample]:
    rng = np.random.default_rng(0)
    return [
        Sample(
            (
                rand(rng, (3, 4), "bool"),
                rand(rng, (3, 4), "float32"),
                rand(rng, (5,), "float32"),
            ),
            "x2 does not broadcast",
        )
    ]


SPECS = [
    # -- arithmetic --------------------------------------------------------
    binary("add", anp.add, dtypes=NUMERIC, budget=ROUNDED),
    binary("subtract", anp.subtract, dtypes=NUMERIC, budget=ROUNDED),
    binary("multiply", anp.multiply, dtypes=NUMERIC, budget=ROUNDED),
    binary(
        "divide", anp.true_divide, dtypes=FLOATS, domain2=(0.5, 3.0), budget=ROUNDED
    ),
    binary(
        "power",
        anp.power,
        dtypes=FLOATS,
        domain=(0.1, 3.0),
        budget=Ulp(8),
        special=True,
    ),
    # IEEE 754 leaves the sign of max(-0, +0) and of sign(-0) to the implementation.
    binary("maximum", anp.maximum, dtypes=NUMERIC, budget=ROUNDED, signed_zeros=False),
    binary("minimum", anp.minimum, dtypes=NUMERIC, budget=ROUNDED, signed_zeros=False),
    unary("negative", anp.negative, dtypes=SIGNED, budget=ROUNDED),
    unary("abs", anp.abs, dtypes=SIGNED, budget=ROUNDED),
    unary(
        "sign", anp.sign, dtypes=SIGNED, budget=ROUNDED, grad=False, signed_zeros=False
    ),
    unary("square", anp.square, dtypes=NUMERIC, budget=ROUNDED),
    unary("sqrt", anp.sqrt, domain=(0.01, 10.0), budget=ROUNDED),
    unary("rsqrt", lambda x: 1.0 / anp.sqrt(x), domain=(0.01, 10.0), budget=Ulp(2)),
    # -- transcendental ----------------------------------------------------
    unary(
        "exp",
        anp.exp,
        domain=(-10.0, 10.0),
        budget=TRANSCENDENTAL,
        extra_special=(11.0, 11.1, 88.0, 88.8, -17.0, -103.0, -104.0, 709.0, 710.0),
    ),
    unary("log", anp.log, domain=(0.01, 10.0), budget=TRANSCENDENTAL),
    unary(
        "log1p",
        anp.log1p,
        domain=(-0.9, 5.0),
        budget=TRANSCENDENTAL,
        branches=(-1.0, 0.0),
        extra_special=(1e-5, -1e-5, 1e-10, -0.999),
    ),
    unary(
        "expm1",
        anp.expm1,
        domain=(-5.0, 5.0),
        budget=TRANSCENDENTAL,
        branches=(0.0,),
        extra_special=(1e-5, -1e-5, 1e-10, 88.0, 89.0),
    ),
    unary(
        "tanh", anp.tanh, budget=TRANSCENDENTAL, extra_special=(10.0, 20.0, -20.0, 1e-4)
    ),
    unary(
        "sin", anp.sin, budget=TRANSCENDENTAL, extra_special=(100.0, 1000.0, -1000.0)
    ),
    unary(
        "cos", anp.cos, budget=TRANSCENDENTAL, extra_special=(100.0, 1000.0, -1000.0)
    ),
    unary(
        "erf",
        asp.erf,
        budget=TRANSCENDENTAL,
        branches=(0.0,),
        extra_special=(1e-4, 4.0, 6.0),
    ),
    # -- rounding (ties to even) -------------------------------------------
    unary("floor", anp.floor, budget=ROUNDED, grad=False, extra_special=ROUNDING_TIES),
    unary("ceil", anp.ceil, budget=ROUNDED, grad=False, extra_special=ROUNDING_TIES),
    unary(
        "round",
        anp.round,
        dtypes=FLOATS,
        budget=ROUNDED,
        grad=False,
        domain=(-10.0, 10.0),
        extra_special=ROUNDING_TIES,
    ),
    OpSpec(
        "clip",
        dtypes=NUMERIC,
        samples=_clip_samples,
        reference=_clip_ref,
        budget=ROUNDED,
        grad=True,
    ),
    OpSpec(
        "where",
        dtypes=NUMERIC,
        samples=_where_samples,
        reference=_where_ref,
        budget=ROUNDED,
        grad=True,
        errors=_where_errors,
        broadcasts=True,
    ),
    # -- comparisons and logic ---------------------------------------------
    *(
        binary(name, ref, dtypes=NUMERIC, result_dtype=_bool, grad=False)
        for name, ref in (
            ("equal", np.equal),
            ("not_equal", np.not_equal),
            ("less", np.less),
            ("less_equal", np.less_equal),
            ("greater", np.greater),
            ("greater_equal", np.greater_equal),
        )
    ),
    binary(
        "logical_and", np.logical_and, dtypes=("bool",), grad=False, promotion=False
    ),
    binary("logical_or", np.logical_or, dtypes=("bool",), grad=False, promotion=False),
    unary("logical_not", np.logical_not, dtypes=("bool",), grad=False, special=False),
    unary("isnan", np.isnan, result_dtype=_bool, grad=False),
    unary("isinf", np.isinf, result_dtype=_bool, grad=False),
    unary("isfinite", np.isfinite, result_dtype=_bool, grad=False),
]
