"""Specs of the random group: seeded determinism, cross-seed independence, distribution.

Bits are never compared across backends. Each check draws 20,000 values; a KS
test at p < 1e-6 and moments beyond 6 standard errors are failures (a correct
backend fails either with probability below about 1e-6 per check).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from kconform.dtypes import FLOATS, name_of

from .tensors import property_spec

N = 20_000
P_MIN = 1e-6
SIGMAS = 6.0


def _draw(ctx, op, *args):
    b = ctx.backend
    out = getattr(b, op)(*args)
    ctx.expect(b.is_tensor(out), f"returned {type(out).__name__}, not a tensor")
    return b.to_numpy(out)


def _determinism(ctx, op, make):
    a, a2, c = make(0), make(0), make(1)
    ctx.expect(
        np.array_equal(a, a2, equal_nan=True), "the same seed gave different values"
    )
    ctx.expect(not np.array_equal(a, c), "seeds 0 and 1 gave the same values")
    return a


def _distribution(ctx, values, dist, what):
    x = values.astype(np.float64).ravel()
    ks = stats.kstest(x, dist.cdf)
    ctx.expect(
        ks.pvalue > P_MIN,
        f"{what}: KS statistic {ks.statistic:.4g} (p={ks.pvalue:.3g}) "
        f"against {dist.dist.name}{dist.args}{dist.kwds}",
    )
    mean, sd = dist.mean(), dist.std()
    err = abs(x.mean() - mean) / (sd / np.sqrt(x.size))
    ctx.expect(
        err < SIGMAS,
        f"{what}: mean {x.mean():.5g}, expected {mean:.5g} "
        f"({err:.1f} standard errors away)",
    )


def _check_dtype_shape(ctx, arr, dtype, shape):
    got = name_of(arr.dtype)
    ctx.expect(
        got == dtype and arr.shape == shape,
        f"returned {got}{arr.shape}, expected {dtype}{shape}",
    )


def _uniform(ctx, dtype):
    shape = (N // 100, 100)
    x = _determinism(
        ctx,
        "random_uniform",
        lambda s: _draw(ctx, "random_uniform", shape, -2.0, 3.0, dtype, s),
    )
    _check_dtype_shape(ctx, x, dtype, shape)
    x64 = x.astype(np.float64)
    # The contract's interval is half-open in every dtype: a draw that rounds
    # up to maxval in float16 or bfloat16 must be brought below it.
    ctx.expect(
        x64.min() >= -2.0 and x64.max() < 3.0,
        f"values outside [-2, 3): min {x64.min()}, max {x64.max()}",
    )
    _distribution(ctx, x, stats.uniform(-2.0, 5.0), "uniform(-2, 3)")


def _normal(ctx, dtype):
    x = _determinism(
        ctx,
        "random_normal",
        lambda s: _draw(ctx, "random_normal", (N,), 2.0, 3.0, dtype, s),
    )
    _check_dtype_shape(ctx, x, dtype, (N,))
    _distribution(ctx, x, stats.norm(2.0, 3.0), "normal(2, 3)")


def _truncated(ctx, dtype):
    x = _determinism(
        ctx,
        "random_truncated_normal",
        lambda s: _draw(ctx, "random_truncated_normal", (N,), 1.0, 2.0, dtype, s),
    )
    _check_dtype_shape(ctx, x, dtype, (N,))
    x64 = x.astype(np.float64)
    # |x - mean| <= 2 stddev exactly (-3 and 5 are exact in every float dtype)
    ctx.expect(
        x64.min() >= -3.0 and x64.max() <= 5.0,
        f"values beyond mean ± 2 stddev = [-3, 5]: min {x64.min()}, max {x64.max()}",
    )
    _distribution(
        ctx, x, stats.truncnorm(-2.0, 2.0, loc=1.0, scale=2.0), "truncated normal(1, 2)"
    )


def _bernoulli(ctx, dtype):
    x = _determinism(
        ctx, "random_bernoulli", lambda s: _draw(ctx, "random_bernoulli", (N,), 0.3, s)
    )
    _check_dtype_shape(ctx, x, "bool", (N,))
    se = np.sqrt(0.3 * 0.7 / N)
    ctx.expect(abs(x.mean() - 0.3) < SIGMAS * se, f"rate {x.mean():.4f}, expected 0.3")
    for p, expected in ((0.0, False), (1.0, True)):
        y = _draw(ctx, "random_bernoulli", (100,), p, 5)
        ctx.expect(
            bool(np.all(y == expected)), f"p={p} gave a value other than {expected}"
        )


def _permutation(ctx, dtype):
    x = _determinism(
        ctx, "random_permutation", lambda s: _draw(ctx, "random_permutation", 100, s)
    )
    _check_dtype_shape(ctx, x, "int32", (100,))
    ctx.expect(np.array_equal(np.sort(x), np.arange(100)), "not a permutation of 0..99")
    ctx.expect(_draw(ctx, "random_permutation", 0, 0).shape == (0,), "n=0 is not empty")
    # Where does 0 land? Uniform over 5 positions across 500 seeds (chi-square).
    firsts = [
        int(np.argmax(_draw(ctx, "random_permutation", 5, s) == 0)) for s in range(500)
    ]
    p = stats.chisquare(np.bincount(firsts, minlength=5)).pvalue
    ctx.expect(
        p > P_MIN,
        f"positions of 0 over 500 seeds are not uniform (chi-square p={p:.3g})",
    )


SPECS = [
    property_spec("random_uniform", _uniform, FLOATS),
    property_spec("random_normal", _normal, FLOATS),
    property_spec("random_truncated_normal", _truncated, FLOATS),
    property_spec("random_bernoulli", _bernoulli, ("bool",)),
    property_spec("random_permutation", _permutation, ("int32",)),
]
