"""Checks run on every spec: values, gradients, special values, errors, promotion."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..backend import Backend
from ..dtypes import FLOATS, finfo, name_of, promote, round_to, to_numpy_dtype
from ..errors import MissingOpError
from ..oracle.measure import Measurement, measure, widen
from ..oracle.spec import OpSpec, Sample
from . import interrupts
from .repro import repro_script, write_repro

__all__ = [
    "CaseContext",
    "ConformanceFailure",
    "check_errors",
    "check_promotion",
    "check_sample",
    "check_samples",
]

GRAD_DTYPES = ("float32", "float64")


class ConformanceFailure(AssertionError):
    """A case failed; ``repro`` is a standalone script reproducing it."""

    def __init__(self, message: str, repro: str = "", repro_path: Path | None = None):
        super().__init__(message)
        self.message, self.repro, self.repro_path = message, repro, repro_path


@dataclass
class CaseContext:
    """Where a check runs: the backend, the case id, where to write reproductions."""

    backend: Backend
    case_id: str
    repro_dir: Path | None = None
    worst: Measurement | None = field(default=None)
    #: The worst error seen per unit (``ulp``, ``bound``, ``grad_eps``), for records.
    errors: dict[str, float] = field(default_factory=dict)
    #: Whether to keep outputs for the records (canonical cases, not exploration).
    keep_outputs: bool = False
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    #: The reproduction files written, relative to the run directory.
    repro_files: list[str] = field(default_factory=list)
    #: The check kind (``values``, ``grad``, ...): what a reproduction reruns.
    check: str = "values"

    def record(self, m: Measurement) -> None:
        """Keep the worst error per unit, and the worst ULP-budgeted measurement."""
        if m.unit != "exact":
            self.note_error("bound" if m.unit == "x bound" else m.unit, m.error)
        if (
            m.unit == "ulp"
            and m.worst_ulp is not None
            and (self.worst is None or m.worst_ulp > (self.worst.worst_ulp or 0))
        ):
            self.worst = m

    def note_error(self, unit: str, error: float) -> None:
        """Keep ``error`` if it is the worst in ``unit`` so far (NaN is the worst)."""
        error = float(error)
        old = self.errors.get(unit)
        if old is None or not error <= old or np.isnan(error):
            if old is None or not np.isnan(old):
                self.errors[unit] = error

    def keep(self, value: np.ndarray) -> None:
        """Keep an output (or gradient) for cross-backend parity."""
        if self.keep_outputs:
            self.outputs[f"out{len(self.outputs)}"] = np.array(value)

    def expect(self, condition: bool, what: str) -> None:
        """Fail the case with ``what`` unless ``condition`` holds (property checks)."""
        __tracebackhide__ = True
        if not condition:
            raise ConformanceFailure(f"{self.case_id} {what}")

    def fail(self, what: str, spec: OpSpec, sample: Sample | None, dtype: str) -> None:
        __tracebackhide__ = True
        headline = f"{self.case_id} {what}"
        script, path = "", None
        if sample is not None:
            script = repro_script(
                self.backend.name,
                spec.op,
                sample.args,
                dtype,
                headline,
                check=self.check,
                case_id=self.case_id,
                label=sample.label,
            )
            if self.repro_dir is not None:
                path = write_repro(self.repro_dir, self.case_id, script, sample.args)
                # Relative to the run directory: the message is stored in the
                # records, which must still hold once the directory is moved.
                headline += f" — repro: {self.repro_dir.name}/{path.name}"
                for written in (path, path.with_suffix(".npz")):
                    rel = f"{self.repro_dir.name}/{written.name}"
                    if written.is_file() and rel not in self.repro_files:
                        self.repro_files.append(rel)
        raise ConformanceFailure(headline, script, path)


def to_backend(backend: Backend, value: Any) -> Any:
    """Turn NumPy arrays (and lists of them) in a sample into backend tensors."""
    if isinstance(value, np.ndarray):
        return backend.from_numpy(value)
    if isinstance(value, list):
        return [to_backend(backend, v) for v in value]
    return value


def _describe_exc(exc: BaseException) -> str:
    from .interrupts import describe

    return describe(exc)


def _call(ctx: CaseContext, spec: OpSpec, sample: Sample, dtype: str) -> Any:
    backend = ctx.backend
    try:
        args = [to_backend(backend, a) for a in sample.args]
        return getattr(backend, spec.op)(*args)
    except MissingOpError:
        raise  # the case is blocked by an op the backend lacks, not failed
    except BaseException as exc:
        if not isinstance(exc, Exception) and not interrupts.is_case_failure(exc):
            raise  # a real interrupt of the session, or pytest's own outcome
        ctx.fail(
            f"raised {_describe_exc(exc)} on {sample.label or 'a valid input'}",
            spec,
            sample,
            dtype,
        )


def _as_numpy(
    ctx: CaseContext, spec: OpSpec, sample: Sample, dtype: str, out: Any
) -> np.ndarray:
    backend = ctx.backend
    if not backend.is_tensor(out):
        ctx.fail(
            f"returned {type(out).__name__}, expected a {backend.name} tensor",
            spec,
            sample,
            dtype,
        )
    try:
        arr = backend.to_numpy(out)
    except BaseException as exc:
        if not isinstance(exc, Exception) and not interrupts.is_case_failure(exc):
            raise
        ctx.fail(
            f"returned a tensor that to_numpy cannot read: {_describe_exc(exc)}",
            spec,
            sample,
            dtype,
        )
    if not isinstance(arr, np.ndarray):
        ctx.fail(
            f"to_numpy returned {type(arr).__name__}, expected numpy.ndarray",
            spec,
            sample,
            dtype,
        )
    return arr


def check_sample(ctx: CaseContext, spec: OpSpec, sample: Sample, dtype: str) -> None:
    """Run one sample: tensor type, shape, result dtype, values against the oracle."""
    __tracebackhide__ = True
    args64 = tuple(widen(list(sample.args)))
    with np.errstate(all="ignore"):
        ref = spec.reference(*args64)
    out = _call(ctx, spec, sample, dtype)
    expected_dtype = sample.dtype or spec.result_dtype(dtype)
    outs, refs = (out, ref) if isinstance(ref, list) else ([out], [ref])
    if not isinstance(outs, (list, tuple)) or len(outs) != len(refs):
        ctx.fail(
            f"returned {type(out).__name__} of length "
            f"{len(out) if hasattr(out, '__len__') else '?'}, "
            f"expected a list of {len(refs)} tensors",
            spec,
            sample,
            dtype,
        )
    for o, r in zip(outs, refs):
        arr = _as_numpy(ctx, spec, sample, dtype, o)
        r = np.asarray(r)
        try:
            got_dtype = name_of(arr.dtype)
        except ValueError:
            got_dtype = str(arr.dtype)
        if arr.shape != r.shape:
            ctx.fail(
                f"returned shape {arr.shape}, expected {r.shape} ({sample.label})",
                spec,
                sample,
                dtype,
            )
        if got_dtype != expected_dtype:
            ctx.fail(
                f"returned dtype {got_dtype}, expected {expected_dtype} "
                f"({sample.label})",
                spec,
                sample,
                dtype,
            )
        ctx.keep(arr)
        m = measure(arr, r, expected_dtype, spec.budget, args64, spec.signed_zeros)
        ctx.record(m)
        if not m.passed:
            ctx.fail(
                f"{m.describe()} ({sample.label})".replace(
                    "got=", f"{ctx.backend.name}="
                ),
                spec,
                sample,
                dtype,
            )


def check_samples(
    ctx: CaseContext, spec: OpSpec, samples: list[Sample], dtype: str
) -> None:
    """Run :func:`check_sample` on each sample."""
    __tracebackhide__ = True
    for sample in samples:
        check_sample(ctx, spec, sample, dtype)


def check_errors(ctx: CaseContext, spec: OpSpec) -> None:
    """Every invalid call in the spec must raise."""
    __tracebackhide__ = True
    assert spec.errors is not None
    for sample in spec.errors():
        try:
            args = [to_backend(ctx.backend, a) for a in sample.args]
            out = getattr(ctx.backend, spec.op)(*args)
        except Exception:
            continue
        shape = (
            ctx.backend.shape(out) if ctx.backend.is_tensor(out) else type(out).__name__
        )
        ctx.fail(
            f"did not raise on an invalid input ({sample.label}); returned {shape}",
            spec,
            sample,
            "float32",
        )


PROMOTION_PAIRS = (
    ("int32", "float32"),
    ("float32", "int32"),
    ("float16", "bfloat16"),
    ("int32", "int64"),
    ("bool", "float32"),
    ("float32", "float64"),
    ("int64", "float16"),
    ("bool", "int32"),
)


def check_promotion(ctx: CaseContext, spec: OpSpec) -> None:
    """Mixed-dtype calls return the promotion table's dtype, with the right values."""
    __tracebackhide__ = True
    rng = np.random.default_rng(7)
    from ..oracle.inputs import rand

    for a, b in PROMOTION_PAIRS:
        if not {a, b} <= set(spec.dtypes) or not all(
            _dtype_supported(ctx.backend, d) for d in (a, b)
        ):
            continue
        result = spec.result_dtype(promote(a, b))
        sample = Sample(
            (rand(rng, (3, 4), a, 0.5, 3), rand(rng, (4,), b, 0.5, 3)),
            f"{a} with {b}",
            dtype=result,
        )
        check_sample(ctx, spec, sample, result)


def _dtype_supported(backend: Backend, dtype: str) -> bool:
    return dtype not in ("float16", "bfloat16", "float64") or backend.supports(dtype)


def check_grad(
    ctx: CaseContext, spec: OpSpec, dtype: str, samples: list[Sample] | None = None
) -> None:
    """Gradients of ``sum(op(*args) * w)`` against the oracle's float64 gradients
    (on the canonical samples, or on ``samples``)."""
    __tracebackhide__ = True
    for sample in spec.canonical(dtype) if samples is None else samples:
        check_grad_sample(ctx, spec, sample, dtype)


def smoke_samples(samples: list[Sample]) -> list[Sample]:
    """The smoke tier's gradient samples: the first with arrays of rank >= 1 and
    the one with the most dimensions in all (broadcasting, batches)."""

    def arrays(s: Sample) -> list[np.ndarray]:
        return [a for a in s.args if isinstance(a, np.ndarray)]

    ranked = [s for s in samples if any(a.ndim and a.size for a in arrays(s))]
    if not ranked:
        return samples[:1]
    deepest = max(ranked, key=lambda s: sum(a.ndim for a in arrays(s)))
    return [ranked[0]] if deepest is ranked[0] else [ranked[0], deepest]


def check_grad_sample(
    ctx: CaseContext, spec: OpSpec, sample: Sample, dtype: str
) -> None:
    """One sample's gradients against the oracle's (what a ``-grad`` repro reruns)."""
    __tracebackhide__ = True
    from ..oracle.gradients import (
        diff_positions,
        gather,
        gradient_scales,
        reference_grads,
        substitute,
    )

    backend = ctx.backend
    eps = float(finfo(dtype).eps)
    positions = diff_positions(sample.args)
    if not positions:
        return
    _, ref_grads, w64 = reference_grads(spec, sample, positions)
    w = backend.from_numpy(w64.astype(to_numpy_dtype(dtype)))
    fixed = [to_backend(backend, a) for a in sample.args]

    def loss(params: list[Any], fixed=fixed, w=w, positions=positions) -> Any:
        out = getattr(backend, spec.op)(*substitute(fixed, positions, params))
        return backend.sum(backend.multiply(out, w), None, False)

    try:
        _, grads = backend.value_and_grad(loss, False)(gather(fixed, positions))
    except MissingOpError:
        raise  # blocked by an op the backend lacks (sum, multiply, ...)
    except Exception as exc:
        ctx.fail(
            f"value_and_grad raised {_describe_exc(exc)} ({sample.label})",
            spec,
            sample,
            dtype,
        )
    scales = gradient_scales(spec, sample, positions, w64)
    for pos, g, gr, scale in zip(positions, grads, ref_grads, scales):
        _compare_grad(
            ctx, spec, sample, dtype, pos, backend.to_numpy(g), gr, scale, eps
        )


def _compare_grad(
    ctx: CaseContext,
    spec: OpSpec,
    sample: Sample,
    dtype: str,
    pos: Any,
    g: Any,
    gr: np.ndarray,
    scale: float,
    eps: float,
) -> None:
    """Compare normwise: ``max|g - g_ref| / scale`` in eps.

    ``scale`` comes from :func:`gradient_scales`.
    """
    __tracebackhide__ = True
    where = f"argument {pos[0]}" + ("" if pos[1] is None else f"[{pos[1]}]")
    g_np = np.asarray(g, dtype=np.float64)
    if g_np.shape != gr.shape:
        ctx.fail(
            f"gradient of {where} has shape {g_np.shape}, expected {gr.shape} "
            f"({sample.label})",
            spec,
            sample,
            dtype,
        )
    scale = max(scale, float(finfo(dtype).smallest_normal))
    diff = np.abs(g_np - gr)
    err = float(np.max(diff)) / scale / eps if diff.size else 0.0
    ctx.keep(np.asarray(g))
    ctx.note_error("grad_eps", err)
    if not err <= spec.grad_budget:
        idx = tuple(
            int(i)
            for i in np.unravel_index(
                int(np.argmax(np.nan_to_num(diff, nan=np.inf))), gr.shape
            )
        )
        ctx.fail(
            f"gradient of {where} error {err:.3g} eps > "
            f"budget {spec.grad_budget:g} eps "
            f"(normwise) at {idx}: {ctx.backend.name}={float(g_np[idx])!r} "
            f"oracle={float(gr[idx])!r} "
            f"({sample.label})",
            spec,
            sample,
            dtype,
        )


def special_samples(spec: OpSpec, dtype: str, subnormal: bool) -> list[Sample]:
    """The spec's special-sample rows with (or without) subnormal inputs or results."""
    from ..oracle.inputs import subnormal_rows

    assert spec.special is not None
    out = []
    for sample in spec.special(dtype):
        arrays = [a for a in sample.args if isinstance(a, np.ndarray) and a.ndim]
        if not arrays:
            continue
        with np.errstate(all="ignore"):
            ref = spec.reference(*widen(list(sample.args)))
        rows = subnormal_rows([*arrays, round_to(ref, dtype)], dtype)
        keep = rows if subnormal else ~rows
        if not keep.any():
            continue
        args = tuple(
            a[keep] if isinstance(a, np.ndarray) and a.ndim else a for a in sample.args
        )
        kind = "subnormal" if subnormal else "special"
        out.append(Sample(args, f"{sample.label}, {kind} rows", sample.dtype))
    return out


def grad_dtypes(spec: OpSpec) -> list[str]:
    """The dtypes a spec's gradients are checked in."""
    return [d for d in GRAD_DTYPES if d in spec.dtypes] if spec.grad else []


def range_dtypes(spec: OpSpec) -> list[str]:
    """The dtypes a spec's whole-range samples are checked in (not bool)."""
    return [d for d in spec.dtypes if d != "bool"] if spec.range else []


def special_dtypes(spec: OpSpec) -> list[str]:
    """The dtypes a spec's special values are checked in."""
    return [d for d in spec.dtypes if d in FLOATS] if spec.special else []
