"""`Optimizer`: the base class (learning rate, clipping, weight decay, slot variables).

Subclasses implement ``update_step(gradient, variable, learning_rate)`` with
``assign``/``assign_add``/``assign_sub`` as Keras 3 does; the trainer runs
``apply`` inside a stateless scope, so the same code serves eager and
compiled training.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from .._engine import Engine, active_engine, current_engine
from ..variables import Variable
from . import schedules

__all__ = ["Optimizer"]


def _check_positive(value: Any, name: str) -> None:
    if value is not None and (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive float. "
            f"Received: {name}={value!r}"
        )


class Optimizer:
    """Base class of optimizers.

    Args:
        learning_rate: A float, or a ``LearningRateSchedule``.
        weight_decay: If set, decoupled weight decay ``v -= v * weight_decay * lr``.
        clipnorm: Clip each gradient to this L2 norm.
        clipvalue: Clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: Clip all gradients together to this global L2 norm.
        name: Name of the optimizer.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}"
            )
        if use_ema or loss_scale_factor or gradient_accumulation_steps:
            raise ValueError(
                "EMA, loss scaling and gradient accumulation are not supported."
            )
        del ema_momentum, ema_overwrite_frequency
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        for value, argname in (
            (clipnorm, "clipnorm"),
            (clipvalue, "clipvalue"),
            (global_clipnorm, "global_clipnorm"),
        ):
            _check_positive(value, argname)
        if not isinstance(
            learning_rate, schedules.LearningRateSchedule
        ) and not callable(learning_rate):
            _check_positive(learning_rate, "learning_rate")
        self.name = name or type(self).__name__.lower()
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = (
            clipnorm,
            clipvalue,
            global_clipnorm,
        )
        self._schedule = (
            learning_rate if not isinstance(learning_rate, (int, float)) else None
        )
        self._variables: list[Variable] = []
        self._engine: Engine | None = None
        self.iterations = self._make("iteration", np.zeros((), "int32"), "int32")
        lr = 0.0 if self._schedule is not None else float(learning_rate)
        self._learning_rate = self._make(
            "learning_rate", np.asarray(lr, "float32"), "float32"
        )
        self.built = False
        self._exclude_pattern: re.Pattern[str] | None = None

    def _make(self, name: str, value: np.ndarray, dtype: str) -> Variable:
        var = Variable(
            value, dtype=dtype, trainable=False, name=name, engine=self._engine
        )
        var.path = f"{self.name}/{name}"
        self._variables.append(var)
        return var

    # -- state ---------------------------------------------------------------
    @property
    def variables(self) -> list[Variable]:
        """Every state variable: iterations, learning rate, then slots."""
        return list(self._variables)

    def _bind(self, engine: Engine) -> None:
        self._engine = engine
        for v in self._variables:
            v.bind(engine)

    def build(self, var_list: list[Variable]) -> None:
        """Create slot variables for ``var_list``; subclasses add theirs."""
        if var_list and self._engine is None and var_list[0].engine is not None:
            self._bind(var_list[0].engine)
        self._index = {id(v): i for i, v in enumerate(var_list)}
        self._trainable = list(var_list)
        self.built = True

    def add_optimizer_variables(
        self, var_list: list[Variable], name: str
    ) -> list[Variable]:
        """One zero-initialized slot per variable, e.g. ``momentum``."""
        return [
            self._make(
                f"{v.path.replace('/', '_')}_{name}",
                np.zeros(v.shape, v.dtype),
                v.dtype,
            )
            for v in var_list
        ]

    def _slot(self, slots: list[Variable], variable: Variable) -> Variable:
        return slots[self._index[id(variable)]]

    @property
    def learning_rate(self) -> Any:
        """The learning rate, as Keras 3 gives it.

        A fixed rate is the optimizer's ``learning_rate`` :class:`Variable`
        (``float(opt.learning_rate)``, ``opt.learning_rate.assign(1e-4)``); with
        a schedule, its value at the current ``iterations`` (a 0-d tensor).
        """
        if self._schedule is not None:
            engine = self._engine or current_engine()
            with active_engine(engine):
                return self._current_learning_rate()
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if self._schedule is not None:
            raise TypeError(
                "This optimizer was created with a learning-rate schedule, so its "
                "learning rate cannot be set to a number."
            )
        _check_positive(float(value), "learning_rate")
        self._learning_rate.assign(np.asarray(float(value), "float32"))

    def _current_learning_rate(self) -> Any:
        if self._schedule is None:
            return self._learning_rate.value
        if isinstance(self._schedule, schedules.LearningRateSchedule):
            return self._schedule(self.iterations.value)
        return current_engine().tensor(self._schedule(), "float32")

    # -- applying gradients ------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Any) -> None:
        """Apply ``[(gradient, variable), ...]``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(
        self, grads: list[Any], trainable_variables: list[Variable] | None = None
    ) -> None:
        """Update ``trainable_variables`` with ``grads`` (one per variable)."""
        if trainable_variables is None:
            trainable_variables = self._trainable
        if not self.built:
            engine = (
                self._engine
                or next((v.engine for v in trainable_variables if v.engine), None)
                or current_engine()
            )
            for var in trainable_variables:  # free variables of user code
                if var.engine is None:
                    var.bind(engine)
            if self._engine is None:
                self._bind(engine)
            self.build(list(trainable_variables))
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Received {len(grads)} gradients for {len(trainable_variables)} "
                "variables; "
                "pass one gradient per trainable variable."
            )
        e = self._engine or current_engine()
        with active_engine(e):
            self._apply(e, list(grads), list(trainable_variables))

    def _apply(
        self, e: Engine, grads: list[Any], trainable_variables: list[Variable]
    ) -> None:
        b = e.b
        grads = self._clip(e, grads)
        lr = self._current_learning_rate()
        if self.weight_decay:
            for var in trainable_variables:
                if self._use_weight_decay(var):
                    wd = e.const(self.weight_decay, var.dtype)
                    var.assign(
                        b.subtract(var.value, b.multiply(b.multiply(var.value, wd), lr))
                    )
        for g, var in zip(grads, trainable_variables):
            self.update_step(g, var, lr)
        for var in trainable_variables:
            if var.constraint is not None:
                var.assign(var.constraint(var.value))
        self.iterations.assign(b.add(self.iterations.value, e.const(1, "int32")))

    def update_step(
        self, gradient: Any, variable: Variable, learning_rate: Any
    ) -> None:
        raise NotImplementedError

    def exclude_from_weight_decay(
        self, var_list: Any = None, var_names: Any = None
    ) -> None:
        """Exclude ``var_list`` and variables named like ``var_names`` from decay."""
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = (
            re.compile("|".join(map(re.escape, var_names))) if var_names else None
        )

    def _use_weight_decay(self, var: Variable) -> bool:
        if id(var) in getattr(self, "_exclude_ids", set()):
            return False
        return not (self._exclude_pattern and self._exclude_pattern.search(var.name))

    def _clip(self, e: Engine, grads: list[Any]) -> list[Any]:
        b = e.b
        if self.clipnorm:
            return [self._clip_by_norm(e, g) for g in grads]
        if self.global_clipnorm:
            norm = b.sqrt(b.sum(b.stack([b.sum(b.square(g)) for g in grads], 0)))
            c = e.const(self.global_clipnorm, b.dtype(norm))
            scale = b.multiply(
                c,
                b.minimum(
                    b.divide(e.const(1.0, b.dtype(norm)), norm),
                    e.const(1.0 / self.global_clipnorm, b.dtype(norm)),
                ),
            )
            scale = b.add(scale, b.subtract(norm, norm))  # NaN for a non-finite norm
            return [b.multiply(g, scale) for g in grads]
        if self.clipvalue:
            return [b.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _clip_by_norm(self, e: Engine, g: Any) -> Any:
        b = e.b
        dtype = b.dtype(g)
        l2sum = b.sum(b.square(g), None, True)
        pred = b.greater(l2sum, e.const(0.0, dtype))
        safe = b.where(pred, l2sum, e.const(1.0, dtype))
        l2norm = b.where(pred, b.sqrt(safe), l2sum)
        c = e.const(self.clipnorm, dtype)
        return b.divide(b.multiply(g, c), b.maximum(l2norm, c))

    # -- configuration ------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        lr: Any = (
            schedules.serialize(self._schedule)
            if isinstance(self._schedule, schedules.LearningRateSchedule)
            else float(self._learning_rate.numpy())
        )
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)
