"""The training API of a model: ``compile``, ``fit``, ``evaluate``, ``predict``.

Every step runs through :mod:`._steps` (functional, compiled with the
backend's ``jit`` when it has one); this module handles arguments, data,
epochs, callbacks and logs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _tree
from . import callbacks as callbacks_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from ._steps import PredictStep, TrainSteps
from .compile_utils import CompileLoss, CompileMetrics
from .data_adapter import make_data
from .predictor import Predictor
from .progbar import Progbar
from .training_utils import (
    NonFiniteLossError,
    check_finite,
    check_labels,
    fit_data,
    jit_by_default,
    verbose_level,
)
from .utils import rng as _rng

__all__ = ["NonFiniteLossError", "Trainer"]


class Trainer(Predictor):
    """Mixin of :class:`Model` holding the compile configuration and the loops."""

    def __init__(self) -> None:
        self.optimizer: optimizers_module.Optimizer | None = None
        self.compiled = False
        self.stop_training = False
        self.history: callbacks_module.History | None = None
        self._steps: TrainSteps | None = None
        self._predict: PredictStep | None = None
        self._jit_compile: bool | str = "auto"
        self._compile_config: dict[str, Any] = {}
        self._loss_tracker = metrics_module.Mean(name="loss")

    def _reset_compiled_steps(self) -> None:
        self._steps = None
        self._predict = None

    # -- compile ------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: bool | str = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure the model for training.

        Args:
            optimizer: Name (``"adam"``, ``"rmsprop"``, ``"sgd"``...) or instance.
            loss: Name, function or ``keras.losses.Loss``; a list or dict for
                several outputs.
            loss_weights: Optional weights of the outputs' losses.
            metrics: List of metrics (``"accuracy"``, ``"mae"``...); a list of lists
                or a dict for several outputs.
            run_eagerly: Never compile the steps.
            jit_compile: ``"auto"`` (default: compile with the backend's ``jit`` when
                it has one), ``True`` (require it) or ``False``.
        """
        if weighted_metrics:
            raise ValueError(
                "`weighted_metrics` is not supported; use `metrics` with "
                "`sample_weight`."
            )
        if jit_compile not in ("auto", True, False):
            raise ValueError(
                "Received an invalid value for `jit_compile`, expected 'auto', True "
                "or False. "
                f"Received: jit_compile={jit_compile!r}"
            )
        self.optimizer = optimizers_module.get(optimizer)
        names = self.output_names  # type: ignore[attr-defined]
        self._compile_loss = CompileLoss(loss, loss_weights, names)
        self._compile_metrics = CompileMetrics(metrics, names)
        self._jit_compile = False if run_eagerly else jit_compile
        self._compile_config = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
        }
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._steps = None
        self.compiled = True
        del steps_per_execution, auto_scale_loss

    @property
    def metrics(self) -> list[metrics_module.Metric]:
        """The metrics ``fit`` and ``evaluate`` track: the loss, then compiled ones."""
        if not self.compiled:
            return []
        return [
            self._loss_tracker,
            *self._compile_loss.metrics,
            *self._compile_metrics.metrics,
        ]

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def _assert_compiled(self) -> None:
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    def _jit_mode(self) -> bool | str:
        """Resolve ``jit_compile``: ``"auto"`` follows :func:`jit_by_default`."""
        engine = self.engine  # type: ignore[attr-defined]
        if self._jit_compile is True and not engine.can_jit:
            raise ValueError(
                f"`jit_compile=True` was requested but backend {engine.name!r} does "
                "not "
                "implement `jit`. Use `jit_compile='auto'` or `False`."
            )
        if self._jit_compile is False or not engine.can_jit:
            return False
        if self._jit_compile == "auto" and not jit_by_default(engine):
            return False
        return self._jit_compile

    # -- preparation ----------------------------------------------------------------
    def _ensure_built(self, x_batch: Any) -> None:
        if self.built:  # type: ignore[attr-defined]
            return
        flat = _tree.flatten(x_batch)
        shapes = [(None,) + tuple(a.shape[1:]) for a in flat]
        self.build(shapes[0] if len(shapes) == 1 else shapes)  # type: ignore[attr-defined]

    def _prepare(self, first: tuple[Any, Any, Any]) -> TrainSteps:
        x, y, _ = first
        self._ensure_built(x)
        if not self._compile_metrics.built:
            y_flat = (
                self._flat_targets(y)
                if y is not None
                else [None] * len(self.output_names)
            )  # type: ignore[attr-defined]
            pred_shapes = self._output_shapes(x)
            self._compile_metrics.build(
                [None if t is None else np.shape(t) for t in y_flat], pred_shapes
            )
            self._steps = None
        steps = self._steps
        key = (
            tuple(map(id, self.trainable_variables)),
            tuple(map(id, self.non_trainable_variables)),
        )  # type: ignore[attr-defined]
        if steps is None or steps.key != key:
            steps = self._steps = TrainSteps(self, self._jit_mode())
        check_labels(self, y)
        return steps

    def _output_shapes(self, x: Any) -> list[tuple]:
        outs = getattr(self, "outputs", None)
        if outs:
            return [tuple(t.shape) for t in outs]
        sample = _tree.map_structure(lambda a: a[:1], x)
        y = self.predict_on_batch(sample)
        return [tuple(np.shape(t)) for t in _tree.flatten(y)]

    def _to_device(self, batch: tuple[Any, Any, Any]) -> Any:
        """Move a host batch to the backend (the data adapters made it contiguous
        and of contract dtypes already, so this is ``from_numpy`` and nothing else)."""
        put = self.engine.b.from_numpy  # type: ignore[attr-defined]

        def move(s: Any) -> Any:
            if s is None:
                return None
            if isinstance(s, np.ndarray):
                return put(s)
            return _tree.map_structure(put, s)

        return move(batch[0]), move(batch[1]), move(batch[2])

    # -- fit --------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: list[Any] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool | str = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
    ) -> callbacks_module.History:
        """Train the model for ``epochs`` epochs; return a ``History``.

        Args:
            x: Inputs: arrays (a list/dict for several inputs), backend tensors, a
                ``PyDataset`` or a generator of ``(x, y[, sample_weight])`` batches.
            y: Targets (not with a generator or dataset).
            batch_size: Samples per step, default 32.
            epochs: Number of epochs.
            verbose: 0 silent, 1 progress bar, 2 one line per epoch ("auto": 1).
            callbacks: List of ``keras.callbacks.Callback``.
            validation_split: Fraction of the arrays (the last samples) to validate on.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight)``.
            shuffle: Shuffle the samples each epoch (``"batch"``: the batch order).
            class_weight: Dict ``{class: weight}`` turned into sample weights.
            sample_weight: Per-sample weights of the loss.
            initial_epoch: Epoch to start at (to resume training).
            steps_per_epoch: Steps per epoch (needed with an endless generator).
            validation_freq: Validate every this many epochs.
        """
        self._assert_compiled()
        verbose = verbose_level(verbose)
        kw = dict(locals())
        data, val = fit_data(self.engine, x, y, kw)  # type: ignore[attr-defined]
        steps = self._prepare(data.first_batch())
        history = callbacks_module.History()
        progbar = callbacks_module.ProgbarLogger(verbose) if verbose else None
        cb_list = [*(callbacks or []), history] + ([progbar] if progbar else [])
        params = {"epochs": epochs, "steps": data.steps, "verbose": verbose}
        cbs = callbacks_module.CallbackList(cb_list, self, params)
        gens = (
            np.random.default_rng(_rng.next_seed()),
            np.random.default_rng(_rng.next_seed()),
        )
        self.stop_training = False
        cbs.call("on_train_begin", None)
        logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            cbs.call("on_epoch_begin", epoch, None)
            logs = self._train_epoch(steps, data, cbs, progbar, gens)
            params["seen_steps"] = self._seen
            if not self.stop_training:  # a callback (TerminateOnNaN) stopped it
                check_finite(logs, epoch, data)
            if val is not None and (epoch + 1) % validation_freq == 0:
                cbs.call("on_test_begin", None)
                val_logs = self._evaluate_data(val, steps, cbs)
                cbs.call("on_test_end", val_logs)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        cbs.call("on_train_end", logs)
        return history

    def _train_epoch(
        self,
        steps: TrainSteps,
        data: Any,
        cbs: Any,
        progbar: Any,
        gens: tuple[Any, Any],
    ) -> dict[str, float]:
        """One epoch of train steps; returns the epoch's logs."""
        state = steps.read_state()
        state = (state[0], state[1], state[2], steps.zero_metrics())
        bar = progbar.bar if progbar is not None else None
        self._seen = 0
        for i, batch in enumerate(data.epoch(gens[0])):
            if cbs.wants_batch_logs:
                cbs.call("on_train_batch_begin", i, None)
            xb, yb, swb = self._to_device(batch)
            masks = steps.masks(xb, gens[1])
            packed = (xb, yb, masks) if swb is None else (xb, yb, masks, swb)
            state = steps.train(state, packed)
            steps.write_state(state)
            self._seen = i + 1
            want_bar = bar is not None and bar.wants_update(self._seen)
            if cbs.wants_batch_logs or want_bar:
                logs = steps.metric_logs(state[3])
                if want_bar:
                    bar.update(self._seen, logs)
                if cbs.wants_batch_logs:
                    cbs.call("on_train_batch_end", i, logs)
            if self.stop_training:
                break
        if self._seen == 0:
            raise ValueError(
                "The training data produced no batch; check `x` and `steps_per_epoch`."
            )
        return steps.metric_logs(state[3])

    # -- evaluate ----------------------------------------------------------------------
    def _evaluate_data(
        self, data: Any, steps: TrainSteps, cbs: Any = None
    ) -> dict[str, float]:
        tv, ntv, _, _ = steps.read_state()
        met = steps.zero_metrics()
        count = 0
        hooks = cbs is not None and cbs.wants_batch_logs
        for batch in data.epoch(None):
            if hooks:
                cbs.call("on_test_batch_begin", count, None)
            xb, yb, swb = self._to_device(batch)
            if yb is None:
                raise ValueError("`evaluate` needs targets `y` to compute the loss.")
            packed = (xb, yb) if swb is None else (xb, yb, swb)
            met = steps.test(tv, ntv, met, packed)
            if hooks:
                cbs.call("on_test_batch_end", count, steps.metric_logs(met))
            count += 1
        if count == 0:
            raise ValueError("The evaluation data produced no batch.")
        return steps.metric_logs(met)

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: list[Any] | None = None,
        return_dict: bool = False,
    ) -> Any:
        """Loss and metrics on ``x``/``y``: a scalar, ``[loss, *metrics]`` or a dict."""
        self._assert_compiled()
        verbose = verbose_level(verbose)
        data = make_data(x, y, sample_weight, batch_size, False, steps, self.engine)  # type: ignore[attr-defined]
        train_steps = self._prepare(data.first_batch())
        cbs = callbacks_module.CallbackList(
            list(callbacks or []), self, {"steps": data.steps}
        )
        cbs.call("on_test_begin", None)
        logs = self._evaluate_data(data, train_steps, cbs)
        cbs.call("on_test_end", logs)
        if verbose:
            bar = Progbar(data.steps, verbose=2 if verbose == 2 else 1)
            bar.update(data.steps or 0, logs, finalize=True)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """One training step on one batch; returns the loss and metrics after it."""
        self._assert_compiled()
        data = make_data(x, y, sample_weight, None, False, None, self.engine)  # type: ignore[attr-defined]
        data.batch_size = data.num_samples or 1  # type: ignore[union-attr]
        steps = self._prepare(data.first_batch())
        xb, yb, swb = self._to_device(data.first_batch())
        masks = steps.masks(xb, np.random.default_rng(_rng.next_seed()))
        state = steps.read_state()
        state = steps.train(
            (state[0], state[1], state[2], steps.zero_metrics()),
            (xb, yb, masks) if swb is None else (xb, yb, masks, swb),
        )
        steps.write_state(state)
        logs = steps.metric_logs(state[3])
        return (
            logs
            if return_dict
            else (list(logs.values()) if len(logs) > 1 else logs["loss"])
        )

    def test_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """Loss and metrics on one batch."""
        return self.evaluate(
            x,
            y,
            batch_size=len(_tree.flatten(x)[0]),
            verbose=0,
            sample_weight=sample_weight,
            return_dict=return_dict,
        )
