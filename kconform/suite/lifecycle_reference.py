"""The reference of every lifecycle stage: the scenario in float64 on NumPy.

Parity compares backends with each other; it cannot say which one is wrong,
and a backend whose training drifts (a moving average that stops updating, a
slightly wrong gradient of one layer) still passes every stage as long as the
loss falls. So each scenario also runs on the embedded NumPy backend twice,
from the same float32 initial weights: in float64 (the reference) and in
float32. What a stage records (losses, gradients at step 0, per-step losses,
metrics, final weights, predictions) must then stay within

    tol = FACTOR * max(d32, FLOOR)

of the float64 reference, normwise (``max|x - ref| / max|ref|``), where ``d32``
is how far the NumPy float32 run itself lies from it on that record: the
rounding error float32 accumulates over this scenario's steps, measured rather
than bounded. A conforming backend rounds in another order, fuses other
operations, but makes errors of the same kind and size; FACTOR leaves room for
that (the built-in backends reach at most 4.9 times ``d32``, on the gradients
of the two-input model). FLOOR is float32's epsilon: a record the NumPy
float32 run gets exactly still allows a few roundings. Accuracy metrics are
left out: one borderline sample flipping under rounding moves them by 1/n.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FACTOR", "FLOOR", "Reference", "compare_stage", "reference_for"]

FACTOR = 32.0
FLOOR = float(np.finfo(np.float32).eps)


@dataclass
class Reference:
    """A scenario's float64 records, and the float32 run's distance from each."""

    records: dict[str, np.ndarray] = field(default_factory=dict)
    d32: dict[str, float] = field(default_factory=dict)
    #: Why there is no reference (the NumPy backend missing, the scenario
    #: failing in float64); None when there is one.
    unavailable: str | None = None


def normwise(x: np.ndarray, ref: np.ndarray) -> float:
    """``max|x - ref| / max|ref|`` (inf when shapes differ or x is not finite)."""
    x, ref = np.asarray(x, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if x.shape != ref.shape:
        return float("inf")
    if not x.size:
        return 0.0
    if not np.isfinite(x).all():
        return float("inf")
    scale = max(float(np.max(np.abs(ref))), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(x - ref))) / scale


def _compared(key: str) -> bool:
    return not key.startswith("initial_weights") and not key.endswith("accuracy")


def _run(scenario: Any, backend: Any, floatx: str) -> dict[str, np.ndarray]:
    """Every stage of ``scenario`` on ``backend`` with ``floatx``; its records."""
    from ..framework import _config
    from ..records.schema import flatten_values
    from .lifecycle import LifecycleContext, stages_of

    old = _config.floatx()
    _config.set_floatx(floatx)
    tmp = Path(tempfile.mkdtemp(prefix=f"kconform-ref-{scenario.name}-"))
    try:
        ctx = LifecycleContext(backend, scenario.name, tmp)
        for name, run in stages_of(scenario):
            run(ctx)
            model = ctx.state.get("model")
            if name == "create" and model is not None and floatx == "float64":
                # start from the float32 initial weights every backend holds
                model.set_weights(
                    [
                        np.asarray(w).astype(np.float32).astype(np.float64)
                        for w in model.get_weights()
                    ]
                )
        records = ctx.state.get("records", {})
        return {
            k: a for n, v in records.items() for k, a in flatten_values(n, v).items()
        }
    finally:
        _config.set_floatx(old)


def reference_for(scenario: Any) -> Reference:
    """Run ``scenario`` on NumPy in float64 and float32 (see the module doc)."""
    import kconform

    try:
        backend = kconform.load_backend("numpy")
    except Exception as exc:  # noqa: BLE001 - any load failure: no reference
        return Reference(unavailable=f"the NumPy backend does not load: {exc}")
    try:
        ref = _run(scenario, backend, "float64")
        f32 = _run(scenario, backend, "float32")
    except Exception as exc:  # noqa: BLE001 - the stage itself reports its errors
        return Reference(
            unavailable=f"the scenario fails on NumPy: {type(exc).__name__}: {exc}"
        )
    out = Reference()
    for key, value in ref.items():
        if _compared(key) and key in f32 and np.asarray(value).dtype.kind == "f":
            out.records[key] = np.asarray(value, dtype=np.float64)
            out.d32[key] = normwise(f32[key], value)
    return out


def compare_stage(reference: Reference, recorded: dict[str, np.ndarray]) -> list[str]:
    """What the stage recorded that leaves the reference's tolerance, worst first."""
    if reference.unavailable is not None:
        return []
    bad = []
    for key, value in recorded.items():
        ref = reference.records.get(key)
        if ref is None:
            continue
        d32 = reference.d32[key]
        tol = FACTOR * max(d32, FLOOR)
        err = normwise(value, ref)
        if not err <= tol:
            bad.append(
                (
                    err / tol,
                    f"{key} is {err:.3g} (normwise) from the float64 reference, "
                    f"tolerance {tol:.3g} ({FACTOR:g} x max(NumPy float32's own "
                    f"{d32:.2g}, {FLOOR:.2g}))",
                )
            )
    return [text for _, text in sorted(bad, reverse=True)]
