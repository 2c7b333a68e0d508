"""Pytest items for lifecycle scenarios: one per scenario, stage and backend.

Ids read ``mlp-fit[jax]``.

A scenario (``specs/lifecycle``) is an ordered list of named stages sharing a
context per backend; a stage fails by raising. A stage after a failed one is
skipped as blocked, naming the stage that blocked it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ..backend import Backend
from ..errors import MissingOpError
from . import interrupts
from .lifecycle_reference import Reference, compare_stage, reference_for
from .state import STATE_KEY, SessionState

__all__ = [
    "LifecycleCollector",
    "LifecycleContext",
    "LifecycleItem",
    "LifecycleSuite",
    "lifecycle_scope",
    "stages_of",
]


@dataclass
class LifecycleContext:
    """What a scenario's stages share on one backend."""

    backend: Backend
    scenario: str
    tmp_path: Path
    state: dict[str, Any] = field(default_factory=dict)
    failed_stage: str | None = None
    #: The stages that ran (passed or failed), in the order they ran.
    done: list[str] = field(default_factory=list)


def stages_of(scenario: Any) -> list[tuple[str, Callable[[Any], None]]]:
    """A scenario's stages as ``(name, callable)`` pairs, in order.

    Accepts a mapping, a sequence of pairs, or objects with ``name`` and ``run``.
    """
    stages = scenario.stages
    if isinstance(stages, dict):
        return list(stages.items())
    out = []
    for stage in stages:
        if isinstance(stage, tuple):
            out.append(stage)
        else:
            out.append((stage.name, getattr(stage, "run", stage)))
    return out


class LifecycleItem(pytest.Item):
    """One stage of one scenario on one backend."""

    def __init__(
        self,
        *,
        scenario: Any,
        stage: str,
        run: Callable[[Any], None],
        backend: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.scenario, self.stage, self.run, self.backend_name = (
            scenario,
            stage,
            run,
            backend,
        )
        self.add_marker("lifecycle")

    @property
    def state(self) -> SessionState:
        return self.config.stash[STATE_KEY]

    def _context(self) -> LifecycleContext:
        contexts = self.state.extra.setdefault("lifecycle", {})
        key = (self.scenario.name, self.backend_name)
        if key not in contexts:
            # Before the scenario's first stage: the reference run seeds the
            # framework's generator, which each stage seeds again itself.
            self._reference()
            tmp = Path(tempfile.mkdtemp(prefix=f"kconform-{self.scenario.name}-"))
            contexts[key] = LifecycleContext(
                self.state.backends[self.backend_name], self.scenario.name, tmp
            )
        return contexts[key]

    def runtest(self) -> None:
        props = {
            "backend": self.backend_name,
            "op": self.scenario.name,
            "kind": "lifecycle",
            "dtype": None,
            "stage": self.stage,
        }
        self.kconform_props = props  # carried on the report (pytest_plugin)
        backend = self.state.backends[self.backend_name]
        lacking = [
            c for c in getattr(self.scenario, "requires", ()) if not backend.supports(c)
        ]
        if lacking:
            props["outcome"] = "unsupported"
            pytest.skip(
                f"unsupported: backend {self.backend_name!r} does not declare {lacking}"
            )
        ctx = self._context()
        if ctx.failed_stage is not None:
            props["outcome"] = "blocked"
            pytest.skip(f"blocked: {ctx.failed_stage} failed")
        order = [name for name, _ in stages_of(self.scenario)]
        earlier = order[: order.index(self.stage)]
        missing = [name for name in earlier if name not in ctx.done]
        if missing:
            props["outcome"] = "blocked"
            pytest.skip(
                f"blocked: {self.name} needs the stages before it "
                f"({', '.join(missing)}), which have not run in this session: "
                "they were deselected (-k, -m, a node id), or a plugin reordered "
                "the items after kconform put each scenario's stages in order. "
                f"Select the whole scenario (-k '{self.scenario.name}-')."
            )
        before = dict(ctx.state.get("records", {}))
        try:
            self.run(ctx)
        except MissingOpError as exc:
            # A backend brought up op by op: the stage needs an op it lacks.
            ctx.failed_stage = self.name
            props["outcome"] = "blocked"
            props["message"] = exc.blocked
            pytest.skip(props["message"])
        except BaseException as exc:
            ctx.failed_stage = self.name
            if interrupts.is_case_failure(exc):  # not the session's end
                raise AssertionError(
                    f"{self.name} raised {interrupts.describe(exc)}"
                ) from None
            raise
        finally:
            ctx.done.append(self.stage)
            props["arrays"] = _new_records(before, ctx.state.get("records", {}))
        # Against the float64 reference: the stage did its work, later stages
        # still run (they are compared too), but this one fails.
        far = compare_stage(
            self._reference(), _new_values(before, ctx.state.get("records", {}))
        )
        if far:
            more = f" (and {len(far) - 3} more)" if len(far) > 3 else ""
            raise AssertionError(f"{self.name}: {'; '.join(far[:3])}{more}")

    def _reference(self) -> Reference:
        """The scenario's float64 reference, computed once per session."""
        refs = self.state.extra.setdefault("lifecycle_reference", {})
        if self.scenario.name not in refs:
            refs[self.scenario.name] = reference_for(self.scenario)
        return refs[self.scenario.name]

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


def _new_values(before: dict[str, Any], after: dict[str, Any]) -> dict[str, np.ndarray]:
    """The records a stage added or replaced, flattened to named arrays."""
    from ..records.schema import flatten_values

    out: dict[str, np.ndarray] = {}
    for name, value in after.items():
        if name in before and before[name] is value:
            continue
        out.update(flatten_values(name, value))
    return out


def _new_records(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The records a stage added or replaced, encoded for the session's records."""
    from ..records.schema import encode_array

    return {k: encode_array(a) for k, a in _new_values(before, after).items()}


class LifecycleSuite:
    """In a test module, expands into every scenario's stages on every backend.

    The stages are collected under a node named ``lifecycle`` (node ids read
    ``module.py::lifecycle::mlp-fit[jax]``), so that ``pytest -n`` can keep a
    scenario's stages on one worker knowing only the node ids.
    """

    def __init__(self, scenarios: Callable[[], Iterable[Any]] | None = None) -> None:
        self._scenarios = scenarios

    def scenarios(self) -> list[Any]:
        if self._scenarios is not None:
            return list(self._scenarios())
        from ..specs.lifecycle import SCENARIOS

        return list(SCENARIOS.values())

    def collect(self, parent: pytest.Collector) -> pytest.Collector:
        return LifecycleCollector.from_parent(parent, name="lifecycle", suite=self)


class LifecycleCollector(pytest.Collector):
    """The ``lifecycle`` node: one item per scenario, stage and selected backend."""

    def __init__(self, *, suite: LifecycleSuite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite

    def collect(self) -> list[pytest.Item]:
        state = self.config.stash[STATE_KEY]
        items: list[pytest.Item] = []
        scenarios = self.suite.scenarios()
        for name in state.selected:
            if name in state.load_errors:
                continue  # the op suite reports the load error once
            state.collected_backends.add(name)
            for scenario in scenarios:
                for stage, run in stages_of(scenario):
                    items.append(
                        LifecycleItem.from_parent(
                            self,
                            name=f"{scenario.name}-{stage}[{name}]",
                            scenario=scenario,
                            stage=stage,
                            run=run,
                            backend=name,
                        )
                    )
        return items


def lifecycle_scope(nodeid: str) -> str | None:
    """``...::lifecycle::scenario[backend]`` for a lifecycle stage's node id, else None.

    Stage names hold no ``-``: the scenario is what precedes the last one.
    """
    prefix, sep, name = nodeid.rpartition("::lifecycle::")
    if not sep or "[" not in name:
        return None
    stage, _, backend = name.partition("[")
    return f"{prefix}{sep}{stage.rsplit('-', 1)[0]}[{backend}"


def keep_stages_in_order(items: list[pytest.Item]) -> None:
    """Put each scenario's stages back in their order, in the places its items
    hold: other items do not move, and a scenario's stages keep the slots a
    reordering plugin (pytest-randomly) gave them, filled in stage order."""
    slots: dict[tuple[str, str], list[int]] = {}
    for i, item in enumerate(items):
        if isinstance(item, LifecycleItem):
            slots.setdefault((item.scenario.name, item.backend_name), []).append(i)
    for places in slots.values():
        group = [items[i] for i in places]
        order = {name: k for k, (name, _) in enumerate(stages_of(group[0].scenario))}
        group.sort(key=lambda item: order[item.stage])
        for i, item in zip(places, group, strict=True):
            items[i] = item
