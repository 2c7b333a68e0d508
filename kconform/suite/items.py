"""Pytest items generated from the specs: one per op, check, backend and dtype."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from ..deviations import is_pattern, match_deviation
from ..errors import MissingOpError
from ..oracle.spec import OpSpec
from ..records.schema import encode_array, json_float
from . import checks, interrupts
from .profiles import hypothesis_settings, reproducible_draws
from .state import STATE_KEY, SessionState

__all__ = [
    "BackendLoadItem",
    "OracleGradItem",
    "SpecItem",
    "SpecSuite",
    "case_names",
    "suite_size",
]

_DTYPE_CAPS = ("float16", "bfloat16", "float64")


class SpecItem(pytest.Item):
    """One check of one op on one backend (and dtype): ``softmax[torch-float32]``."""

    def __init__(
        self, *, spec: OpSpec, kind: str, backend: str, dtype: str | None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.spec, self.kind, self.backend_name, self.dtype = spec, kind, backend, dtype
        self.add_marker(kind)

    @property
    def state(self) -> SessionState:
        return self.config.stash[STATE_KEY]

    def runtest(self) -> None:
        backend = self.state.backends[self.backend_name]
        props = {
            "backend": self.backend_name,
            "op": self.spec.op,
            "kind": self.kind,
            "dtype": self.dtype,
        }
        self.kconform_props = props  # carried on the report (pytest_plugin)
        if not backend.has(self.spec.op):
            props["outcome"] = "missing"
            pytest.skip(
                f"missing: backend {self.backend_name!r} does not implement "
                f"kconform_{self.spec.op}"
            )
        lacking = [c for c in self.spec.requires if not backend.supports(c)]
        if self.dtype in _DTYPE_CAPS and not backend.supports(self.dtype):
            lacking.append(self.dtype)
        if lacking:
            props["outcome"] = "unsupported"
            pytest.skip(
                f"unsupported: backend {self.backend_name!r} does not declare {lacking}"
            )
        deviation = match_deviation(self.name, backend.deviations)
        if deviation is not None:
            props["deviation"] = deviation["id"]
        ctx = checks.CaseContext(
            backend,
            self.name,
            self.state.report_dir / "repro",
            keep_outputs=self.kind in _KEPT,
            check=self.kind,
        )
        try:
            self._run(ctx)
        except checks.ConformanceFailure as exc:
            _fill(props, ctx)
            props["message"] = exc.message
            if deviation is not None:
                props["outcome"] = "deviation"
                pytest.xfail(f"declared deviation: {deviation['reason']}")
            raise
        except MissingOpError as exc:
            _fill(props, ctx)
            props["outcome"] = "blocked"
            props["message"] = exc.blocked
            pytest.skip(props["message"])
        except BaseException as exc:
            _fill(props, ctx)
            if not interrupts.is_case_failure(exc):
                raise
            # KeyboardInterrupt, SystemExit, ... from the backend: its failure
            props["message"] = f"{self.name} raised {interrupts.describe(exc)}"
            raise checks.ConformanceFailure(props["message"]) from None
        _fill(props, ctx)
        # A pattern may match cases that pass; an exact id that passes is out of date.
        if deviation is not None and not is_pattern(deviation["id"]):
            raise checks.ConformanceFailure(
                f"{self.name} passes, but it is declared as a deviation "
                f"({deviation['id']!r}: {deviation['reason']}); remove it from the "
                f"backend's deviations file"
            )

    def _run(self, ctx: checks.CaseContext) -> None:
        spec, dtype = self.spec, self.dtype
        if self.kind == "values":
            checks.check_samples(ctx, spec, spec.canonical(dtype), dtype)
        elif self.kind == "property":
            assert spec.check is not None
            spec.check(ctx, dtype)
        elif self.kind == "grad":
            samples = spec.canonical(dtype)
            if self.config.getoption("kconform_tier") == "smoke":
                samples = checks.smoke_samples(samples)
            checks.check_grad(ctx, spec, dtype, samples)
        elif self.kind in ("special", "subnormal"):
            samples = checks.special_samples(spec, dtype, self.kind == "subnormal")
            checks.check_samples(ctx, spec, samples, dtype)
        elif self.kind == "range":
            assert spec.range is not None
            checks.check_samples(ctx, spec, spec.range(dtype), dtype)
        elif self.kind == "errors":
            checks.check_errors(ctx, spec)
        elif self.kind == "promotion":
            checks.check_promotion(ctx, spec)
        elif self.kind == "explore":
            self._explore(ctx)
        else:  # pragma: no cover
            raise AssertionError(f"unknown check kind {self.kind!r}")

    def _explore(self, ctx: checks.CaseContext) -> None:
        spec, dtype = self.spec, self.dtype
        assert spec.explore is not None

        @hypothesis_settings(self.state.profile)
        @given(spec.explore(dtype))
        def explore(sample: Any) -> None:
            checks.check_sample(ctx, spec, sample, dtype)

        with reproducible_draws(self.state.profile):
            explore()

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        exc = excinfo.value
        if isinstance(exc, checks.ConformanceFailure):
            if exc.repro:
                where = f" ({exc.repro_path})" if exc.repro_path else ""
                return f"{exc.message}\n\nStandalone reproduction{where}:\n{exc.repro}"
            return exc.message
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


#: The checks whose outputs are kept for parity (exploration draws vary by profile).
_KEPT = ("values", "grad", "special", "subnormal")


def _fill(props: dict[str, Any], ctx: checks.CaseContext) -> None:
    """Put the case's errors and outputs where the session's records read them."""
    props["worst_ulp"] = _ulp(ctx)
    props["error"] = {k: json_float(v) for k, v in ctx.errors.items()}
    props["arrays"] = {k: encode_array(v) for k, v in ctx.outputs.items()}
    if ctx.repro_files:
        props["repro"] = list(ctx.repro_files)


def _ulp(ctx: checks.CaseContext) -> float | None:
    if ctx.worst is None or ctx.worst.worst_ulp is None:
        return None
    return float(ctx.worst.worst_ulp) if np.isfinite(ctx.worst.worst_ulp) else None


class OracleGradItem(pytest.Item):
    """The oracle's own gradients against central differences (float64, no backend)."""

    def __init__(self, *, spec: OpSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self) -> None:
        from ..oracle.gradients import diff_positions, finite_difference_error

        for sample in self.spec.canonical("float64"):
            positions = diff_positions(sample.args)
            if not positions:
                continue
            err = finite_difference_error(self.spec, sample, positions)
            assert err < 1e-6, (
                f"{self.name}: the oracle's gradient differs from central "
                f"differences by {err:.3g} (normwise relative) on {sample.label}: "
                "fix the reference in specs/"
            )

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


class BackendLoadItem(pytest.Item):
    """Fails with a selected backend's load error, so the run shows it and goes on."""

    def runtest(self) -> None:
        name = self.name[len("backend-load[") : -1]
        error = self.config.stash[STATE_KEY].load_errors[name]
        raise checks.ConformanceFailure(str(error))

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


class SpecSuite:
    """In a test module, expands to the spec-driven items of every selected backend."""

    def collect(self, parent: pytest.Collector) -> list[pytest.Item]:
        from ..specs import all_specs

        state = parent.config.stash[STATE_KEY]
        items: list[pytest.Item] = []
        specs = all_specs()
        # The oracle's self-checks serve the backends that run: with none loaded
        # they would read as passes of a backend that never ran.
        loaded = [n for n in state.selected if n not in state.load_errors]
        for spec in specs if loaded else ():
            if spec.grad:
                items.append(
                    OracleGradItem.from_parent(
                        parent, name=f"{spec.op}-grad[oracle-float64]", spec=spec
                    )
                )
        for name in state.selected:
            state.collected_backends.add(name)
            if name in state.load_errors:
                items.append(
                    BackendLoadItem.from_parent(parent, name=f"backend-load[{name}]")
                )
                continue
            backend_items = [
                i for spec in specs for i in _spec_items(parent, spec, name)
            ]
            state.extra.setdefault("case_ids", {})[name] = [
                i.name for i in backend_items
            ]
            items.extend(backend_items)
        return items


def case_names(spec: OpSpec, backend: str) -> list[tuple[str, str, str | None]]:
    """``(kind, case id, dtype)`` of every case of ``spec`` on ``backend``."""
    op, out = spec.op, []
    main_kind = "property" if spec.check is not None else "values"
    for dtype in spec.dtypes:
        out.append((main_kind, f"{op}[{backend}-{dtype}]", dtype))
    for dtype in checks.grad_dtypes(spec):
        out.append(("grad", f"{op}-grad[{backend}-{dtype}]", dtype))
    for dtype in checks.special_dtypes(spec):
        out.append(("special", f"{op}-special[{backend}-{dtype}]", dtype))
        out.append(("subnormal", f"{op}-subnormal[{backend}-{dtype}]", dtype))
    for dtype in checks.range_dtypes(spec):
        out.append(("range", f"{op}-range[{backend}-{dtype}]", dtype))
    if spec.explore is not None:
        for dtype in spec.dtypes:
            out.append(("explore", f"{op}-explore[{backend}-{dtype}]", dtype))
    if spec.errors is not None:
        out.append(("errors", f"{op}-errors[{backend}]", None))
    if spec.promotion:
        out.append(("promotion", f"{op}-promotion[{backend}]", None))
    return out


def all_case_ids(backend: str) -> list[str]:
    """Every case id the whole suite has on ``backend`` (op cases and stages),
    whatever a session selected: what a declared deviation can match."""
    from ..specs import all_specs
    from ..specs.lifecycle import SCENARIOS
    from .lifecycle import stages_of

    ids = [case for spec in all_specs() for _, case, _ in case_names(spec, backend)]
    return ids + [
        f"{scenario.name}-{stage}[{backend}]"
        for scenario in SCENARIOS.values()
        for stage, _ in stages_of(scenario)
    ]


@functools.cache
def suite_size() -> int:
    """How many cases the whole suite has per backend (op cases and stages)."""
    return len(all_case_ids("b"))


def _spec_items(parent: pytest.Collector, spec: OpSpec, backend: str) -> list[SpecItem]:
    return [
        SpecItem.from_parent(
            parent, name=case, spec=spec, kind=kind, backend=backend, dtype=dtype
        )
        for kind, case, dtype in case_names(spec, backend)
    ]
