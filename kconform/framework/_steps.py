"""The functional train/test/predict steps: state in, state out, compiled with ``jit``.

State is four lists of tensors: trainable weights, non-trainable weights,
optimizer variables, metric variables. A step maps every
:class:`~kconform.framework.variables.Variable` to its value in a
:class:`~kconform.framework.variables.StatelessScope`, runs the model, the
loss (through ``backend.value_and_grad(has_aux=True)``), the optimizer and the
metrics as ordinary stateful code, and returns the values the scope recorded.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _tree
from ._engine import Engine, active_engine
from .layers._context import CallContext, NoisePlan, call_context
from .variables import StatelessScope, Variable

__all__ = ["PredictStep", "TrainSteps"]


def _read(variables: list[Variable]) -> list[Any]:
    return [v._value for v in variables]


def _write(variables: list[Variable], values: list[Any]) -> None:
    for v, t in zip(variables, values):
        v._value = t


class _Compiled:
    """A step, jitted when asked; in ``auto`` mode a failed trace runs eagerly."""

    def __init__(
        self, engine: Engine, fn: Callable[..., Any], jit: bool | str, what: str
    ) -> None:
        self.engine, self.fn, self.what = engine, fn, what
        self.mode = jit
        self.compiled = engine.jit(fn) if jit else None
        self._proven = False

    def __call__(self, *args: Any) -> Any:
        if self.compiled is None:
            with active_engine(self.engine):
                return self.fn(*args)
        if self._proven or self.mode is True:
            return self.compiled(*args)
        try:
            out = self.compiled(*args)
        except Exception as exc:
            # Run eagerly: a genuine error raises again, with the eager traceback;
            # if eager works, the backend's jit could not take this step.
            self.compiled = None
            with active_engine(self.engine):
                out = self.fn(*args)
            warnings.warn(
                f"Backend {self.engine.name!r} failed to compile the {self.what} step "
                f"({type(exc).__name__}: {exc}); running it eagerly. Pass "
                "`jit_compile=False` to `compile()` to silence this warning.",
                RuntimeWarning,
                stacklevel=3,
            )
            return out
        self._proven = True
        return out


class PredictStep:
    """``y_pred = predict(trainable, non_trainable, x)`` for a model."""

    def __init__(self, model: Any, jit: bool | str) -> None:
        self.model = model
        self.engine: Engine = model.engine
        self.tv, self.ntv = model.trainable_variables, model.non_trainable_variables
        self.key = (tuple(map(id, self.tv)), tuple(map(id, self.ntv)))
        self.run = _Compiled(self.engine, self._predict, jit, "predict")

    def _predict(self, tv: list[Any], ntv: list[Any], x: Any) -> Any:
        pairs = list(zip(self.tv, tv)) + list(zip(self.ntv, ntv))
        with StatelessScope(pairs), active_engine(self.engine):
            with call_context(CallContext(False, self.engine)):
                return self.model(x, training=False)

    def __call__(self, x: Any) -> Any:
        return self.run(_read(self.tv), _read(self.ntv), x)


class TrainSteps:
    """The train and test steps of a compiled model, and the metric bookkeeping."""

    def __init__(self, model: Any, jit: bool | str) -> None:
        self.model = model
        e = self.engine = model.engine
        self.tv, self.ntv = model.trainable_variables, model.non_trainable_variables
        self.key = (tuple(map(id, self.tv)), tuple(map(id, self.ntv)))
        self.optimizer = model.optimizer
        if not self.optimizer.built:
            self.optimizer._bind(e)
            self.optimizer.build(self.tv)
        self.opt_vars = self.optimizer.variables
        self.metrics = model.metrics
        for m in self.metrics:
            m._bind(e)
        self.metric_vars = [v for m in self.metrics for v in m.variables]
        self.regularized = [v for v in model.weights if v.regularizer is not None]
        self._vg = e.b.value_and_grad(self._loss_fn, True)
        self.train = _Compiled(e, self._train_step, jit, "train")
        self.test = _Compiled(e, self._test_step, jit, "test")
        self._plans: dict[Any, NoisePlan] = {}
        self.needs_noise = model._uses_noise()

    # -- state ------------------------------------------------------------------
    def read_state(self) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        return (
            _read(self.tv),
            _read(self.ntv),
            _read(self.opt_vars),
            _read(self.metric_vars),
        )

    def write_state(self, state: tuple[list[Any], ...]) -> None:
        _write(self.tv, state[0])
        _write(self.ntv, state[1])
        _write(self.opt_vars, state[2])
        _write(self.metric_vars, state[3])

    def zero_metrics(self) -> list[Any]:
        """Every metric variable at its initial value (a reset state)."""
        e = self.engine
        return [
            e.b.from_numpy(np.array(value, order="C"))
            for m in self.metrics
            for value in m.initial_state()
        ]

    def metric_logs(self, metric_values: list[Any]) -> dict[str, float]:
        """Current results of every metric, as Python floats (a host sync)."""
        logs: dict[str, float] = {}
        with (
            StatelessScope(zip(self.metric_vars, metric_values)),
            active_engine(self.engine),
        ):
            for m in self.metrics:
                logs[m.name] = float(np.asarray(self.engine.numpy(m.result())))
        return logs

    # -- randomness ----------------------------------------------------------------
    def masks(self, x: Any, gen: np.random.Generator) -> list[Any]:
        """Host-drawn dropout masks for a batch (planned once per batch shape)."""
        if not self.needs_noise:
            return []
        key = tuple(tuple(self.engine.b.shape(t)) for t in _tree.flatten(x))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = NoisePlan()
            pairs = list(zip(self.tv, _read(self.tv))) + list(
                zip(self.ntv, _read(self.ntv))
            )
            with StatelessScope(pairs), active_engine(self.engine):
                with call_context(CallContext(True, self.engine, plan=plan)):
                    self.model(x, training=True)
        return [self.engine.b.from_numpy(m) for m in plan.draw(gen)]

    # -- steps ----------------------------------------------------------------------
    def _forward_loss(
        self, x: Any, y: Any, sw: Any, ctx: CallContext
    ) -> tuple[Any, Any, list[Any]]:
        model = self.model
        with call_context(ctx):
            y_pred = model(x, training=ctx.training)
            flat_pred = model._flat_outputs(y_pred)
            flat_true = model._flat_targets(y)
            loss, parts = model._compile_loss(self.engine, flat_true, flat_pred, sw)
        extra = [v.regularizer(v.value) for v in self.regularized] + ctx.losses
        if extra:
            b = self.engine.b
            loss = b.sum(
                b.stack([loss] + [self.engine.cast(t, "float32") for t in extra], 0)
            )
        return loss, flat_pred, parts

    def _loss_fn(self, tv: list[Any], ntv: list[Any], batch: tuple[Any, ...]) -> Any:
        x, y, masks = batch[0], batch[1], batch[2]
        sw = batch[3] if len(batch) > 3 else None
        pairs = list(zip(self.tv, tv)) + list(zip(self.ntv, ntv))
        with StatelessScope(pairs) as scope, active_engine(self.engine):
            ctx = CallContext(True, self.engine, masks=list(masks))
            loss, flat_pred, parts = self._forward_loss(x, y, sw, ctx)
            new_ntv = [scope.current(v) for v in self.ntv]
        return loss, (flat_pred, new_ntv, [p for p in parts if p is not None])

    def _update_metrics(
        self, loss: Any, y: Any, flat_pred: list[Any], parts: list[Any], sw: Any
    ) -> None:
        model = self.model
        batch_size = self.engine.b.shape(flat_pred[0])[0]
        model._loss_tracker.update_state(loss, sample_weight=batch_size)
        for tracker, part in zip(model._compile_loss.metrics, parts):
            tracker.update_state(part, sample_weight=batch_size)
        model._compile_metrics.update(model._flat_targets(y), flat_pred, sw)

    def _train_step(
        self, state: tuple[list[Any], ...], batch: tuple[Any, ...]
    ) -> tuple[list[Any], ...]:
        tv, ntv, opt, met = state
        (loss, (flat_pred, new_ntv, parts)), grads = self._vg(tv, ntv, batch)
        sw = batch[3] if len(batch) > 3 else None
        pairs = (
            list(zip(self.tv, tv))
            + list(zip(self.opt_vars, opt))
            + list(zip(self.metric_vars, met))
        )
        with StatelessScope(pairs) as scope, active_engine(self.engine):
            self.optimizer.apply(list(grads), self.tv)
            self._update_metrics(loss, batch[1], flat_pred, parts, sw)
            return (
                [scope.current(v) for v in self.tv],
                list(new_ntv),
                [scope.current(v) for v in self.opt_vars],
                [scope.current(v) for v in self.metric_vars],
            )

    def _test_step(
        self, tv: list[Any], ntv: list[Any], met: list[Any], batch: tuple[Any, ...]
    ) -> list[Any]:
        x, y = batch[0], batch[1]
        sw = batch[2] if len(batch) > 2 else None
        pairs = (
            list(zip(self.tv, tv))
            + list(zip(self.ntv, ntv))
            + list(zip(self.metric_vars, met))
        )
        with StatelessScope(pairs) as scope, active_engine(self.engine):
            loss, flat_pred, parts = self._forward_loss(
                x, y, sw, CallContext(False, self.engine)
            )
            self._update_metrics(
                loss, y, flat_pred, [p for p in parts if p is not None], sw
            )
            return [scope.current(v) for v in self.metric_vars]
