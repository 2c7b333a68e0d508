"""The declarative op spec.

Samples, reference, dtypes, error budget, gradients, special values, errors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Bound", "Budget", "Exact", "OpSpec", "Sample", "Ulp"]


@dataclass(frozen=True)
class Sample:
    """One call of an op: every argument of the hook, positionally.

    NumPy arrays become backend tensors (lists of arrays become lists of
    tensors); everything else is passed as is. ``dtype`` overrides the
    expected result dtype (mixed-dtype samples).
    """

    args: tuple[Any, ...]
    label: str = ""
    dtype: str | None = None


@dataclass(frozen=True)
class Exact:
    """The result must equal the oracle's exactly (ints, bools, data movement)."""

    unit = "exact"


@dataclass(frozen=True)
class Ulp:
    """At most ``n`` ULPs of the output dtype from the float64 oracle.

    ``per_dtype`` overrides ``n`` for some dtypes, e.g. ``{"bfloat16": 2}``.
    """

    n: float
    per_dtype: dict[str, float] = field(default_factory=dict)
    unit = "ulp"

    def allowed(self, dtype: str) -> float:
        return self.per_dtype.get(dtype, self.n)


@dataclass(frozen=True)
class Bound:
    """At most ``k`` times the a-priori error bound of a sum, plus one ULP.

    ``scale(*args64)`` returns, broadcast to the output, ``n * sum(|terms|)``
    for each output element (for a dot product of length n: ``n * (|a| @ |b|)``);
    the bound is ``u * scale`` with ``u`` the unit roundoff of the dtype (the
    classic ``gamma_n ~ n u`` bound of recursive summation, Higham, *Accuracy
    and Stability of Numerical Algorithms*, ch. 3-4).
    """

    k: float
    scale: Callable[..., np.ndarray]
    #: The bound of the computation in float32 applies to float16 and bfloat16
    #: results too (elementwise ops: half precision is computed in float32 and
    #: rounded once, so the cancellation of a formula cannot wipe out a result).
    half_in_float32: bool = False
    #: The tail rule applies (see :data:`kconform.oracle.measure.TAIL_RELATIVE`):
    #: the scale is proportional to the result, nothing cancels.
    tail: bool = False
    unit = "x bound"

    def allowed(self, dtype: str) -> float:
        return self.k


Budget = Exact | Ulp | Bound


@dataclass(frozen=True)
class OpSpec:
    """Everything kconform checks about one contract op.

    Args:
        op: the contract op name (``"softmax"``).
        dtypes: the case dtypes the op admits.
        samples: ``samples(rng, dtype) -> [Sample]``: the canonical cases.
        reference: the float64 NumPy oracle, called with the sample's args,
            arrays widened (floats to float64, ints to int64). Written with
            ``autograd.numpy`` when gradients are checked.
        budget: the error budget of the values.
        result_dtype: ``result_dtype(case_dtype) -> dtype`` of the output.
        grad: check gradients of float args in float32 and float64.
        grad_budget: normwise gradient error allowed, in eps of the dtype.
        special: ``special(dtype) -> [Sample]`` with ±0, ±inf, NaN, subnormals,
            values near overflow.
        range: ``range(dtype) -> [Sample]``: the op over the dtype's whole domain
            (:mod:`kconform.oracle.domains`), subnormal inputs and results left
            to the ``subnormal`` check.
        signed_zeros: the contract defines the sign of a zero result (IEEE
            arithmetic and functions odd at 0): a zero of the wrong sign fails.
        errors: ``errors() -> [Sample]``: invalid calls that must raise.
        explore: ``explore(dtype) -> hypothesis strategy of Sample``.
        check: a custom check ``check(backend, dtype)`` for ops whose contract
            is a property rather than a value (random, autodiff, tensors).
        requires: capabilities the backend must declare for the op to run.
        promotion: also check mixed-dtype calls against the promotion table.
        broadcasts: the op is elementwise over broadcast operands, so the
            gradient of a broadcast operand is a sum, budgeted by its bound.
        seed: seeds the canonical samples.
    """

    op: str
    dtypes: Sequence[str]
    samples: Callable[[np.random.Generator, str], list[Sample]] | None = None
    reference: Callable[..., Any] | None = None
    budget: Budget = field(default_factory=Exact)
    result_dtype: Callable[[str], str] = lambda d: d
    grad: bool = False
    grad_budget: float = 32.0
    special: Callable[[str], list[Sample]] | None = None
    errors: Callable[[], list[Sample]] | None = None
    range: Callable[[str], list[Sample]] | None = None
    signed_zeros: bool = False
    explore: Callable[[str], Any] | None = None
    check: Callable[[Any, str], None] | None = None
    requires: tuple[str, ...] = ()
    promotion: bool = False
    broadcasts: bool = False
    seed: int = 0
    notes: str = ""

    def canonical(self, dtype: str) -> list[Sample]:
        """The canonical samples of ``dtype``, deterministic for the spec's seed."""
        if self.samples is None:
            return []
        seed = (self.seed, sum(map(ord, self.op)), sum(map(ord, dtype)))
        return self.samples(np.random.default_rng(seed), dtype)
