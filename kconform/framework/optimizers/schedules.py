"""Learning-rate schedules: a function of the optimizer's step counter."""

from __future__ import annotations

import math
from typing import Any

from .._engine import current_engine

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]


class LearningRateSchedule:
    """Base class: ``schedule(step)`` is the learning rate at int tensor ``step``."""

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``, as Keras 3.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Positive int.
        decay_rate: The decay factor.
        staircase: Floor ``step / decay_steps`` (decay in discrete intervals).
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        if decay_steps <= 0:
            raise ValueError(
                "Received an invalid value for `decay_steps`, expected a positive "
                f"integer. Received: decay_steps={decay_steps!r}"
            )
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step: Any) -> Any:
        e = current_engine()
        b = e.b
        p = b.divide(_f32(step), e.const(float(self.decay_steps)))
        if self.staircase:
            p = b.floor(p)
        return b.multiply(
            e.const(self.initial_learning_rate), b.power(e.const(self.decay_rate), p)
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def _positive_steps(value: Any, name: str) -> None:
    if value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive "
            f"integer. Received: {name}={value!r}"
        )


def _f32(step: Any) -> Any:
    e = current_engine()
    return e.cast(e.tensor(step) if not e.b.is_tensor(step) else step, "float32")


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to ``boundaries[0]`` (inclusive), ``values[1]`` up to
    ``boundaries[1]``, ... and ``values[-1]`` after the last boundary."""

    def __init__(
        self,
        boundaries: list[int],
        values: list[float],
        name: str = "PiecewiseConstant",
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step: Any) -> Any:
        e = current_engine()
        b = e.b
        t = _f32(step)

        def term(cond: Any, value: float) -> Any:
            return b.multiply(b.cast(cond, "float32"), e.const(float(value)))

        bounds = [e.const(float(x)) for x in self.boundaries]
        out = term(b.less_equal(t, bounds[0]), self.values[0])
        out = b.add(out, term(b.greater(t, bounds[-1]), self.values[-1]))
        for low, high, value in zip(bounds[:-1], bounds[1:], self.values[1:-1]):
            inside = b.logical_and(b.greater(t, low), b.less_equal(t, high))
            out = b.add(out, term(inside, value))
        return out

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end`` (Keras 3)."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        _positive_steps(decay_steps, "decay_steps")
        self.initial_learning_rate, self.decay_steps = (
            initial_learning_rate,
            decay_steps,
        )
        self.end_learning_rate, self.power = end_learning_rate, power
        self.cycle, self.name = cycle, name

    def __call__(self, step: Any) -> Any:
        e = current_engine()
        b = e.b
        t = _f32(step)
        steps = e.const(float(self.decay_steps))
        if self.cycle:
            zero = b.equal(t, e.const(0.0))
            multiplier = b.where(zero, e.const(1.0), b.ceil(b.divide(t, steps)))
            steps = b.multiply(steps, multiplier)
        else:
            t = b.minimum(t, steps)
        p = b.divide(t, steps)
        delta = e.const(float(self.initial_learning_rate - self.end_learning_rate))
        decayed = b.power(b.subtract(e.const(1.0), p), e.const(float(self.power)))
        return b.add(b.multiply(delta, decayed), e.const(float(self.end_learning_rate)))

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """``initial / (1 + decay_rate * step / decay_steps)`` (Keras 3)."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        _positive_steps(decay_steps, "decay_steps")
        self.initial_learning_rate, self.decay_steps = (
            initial_learning_rate,
            decay_steps,
        )
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step: Any) -> Any:
        e = current_engine()
        b = e.b
        p = b.divide(_f32(step), e.const(float(self.decay_steps)))
        if self.staircase:
            p = b.floor(p)
        denom = b.add(e.const(1.0), b.multiply(e.const(float(self.decay_rate)), p))
        return b.divide(e.const(float(self.initial_learning_rate)), denom)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Cosine decay to ``alpha * initial`` over ``decay_steps``, after an optional
    linear warm-up from ``initial_learning_rate`` to ``warmup_target`` (Keras 3)."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        _positive_steps(decay_steps, "decay_steps")
        self.initial_learning_rate, self.decay_steps = (
            initial_learning_rate,
            decay_steps,
        )
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def _decay(self, t: Any, steps: Any, start: Any) -> Any:
        e = current_engine()
        b = e.b
        fraction = b.divide(t, steps)
        cosine = b.multiply(
            e.const(0.5),
            b.add(e.const(1.0), b.cos(b.multiply(e.const(math.pi), fraction))),
        )
        decayed = b.add(
            b.multiply(e.const(1.0 - self.alpha), cosine), e.const(float(self.alpha))
        )
        return b.multiply(start, decayed)

    def __call__(self, step: Any) -> Any:
        e = current_engine()
        b = e.b
        t = _f32(step)
        steps = e.const(float(self.decay_steps))
        initial = e.const(float(self.initial_learning_rate))
        if self.warmup_target is None:
            return self._decay(b.minimum(t, steps), steps, initial)
        target = e.const(float(self.warmup_target))
        warmup = e.const(float(self.warmup_steps))
        t = b.minimum(t, b.add(steps, warmup))
        warm = b.add(
            b.multiply(b.subtract(target, initial), b.divide(t, warmup)), initial
        )
        decay = self._decay(b.subtract(t, warmup), steps, target)
        return b.where(b.less(t, warmup), warm, decay)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter), as Keras 3.

    Periods grow by ``t_mul`` and restart heights by ``m_mul``.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        _positive_steps(first_decay_steps, "first_decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul, self._m_mul = float(t_mul), float(m_mul)
        self.alpha, self.name = alpha, name

    def __call__(self, step: Any) -> Any:
        e = current_engine()
        b = e.b
        one = e.const(1.0)
        fraction = b.divide(_f32(step), e.const(float(self.first_decay_steps)))
        if self._t_mul == 1.0:
            i_restart = b.floor(fraction)
            fraction = b.subtract(fraction, i_restart)
        else:
            t_mul = e.const(self._t_mul)
            shrunk = b.subtract(one, b.multiply(fraction, e.const(1.0 - self._t_mul)))
            i_restart = b.floor(b.divide(b.log(shrunk), b.log(t_mul)))
            sum_r = b.divide(
                b.subtract(one, b.power(t_mul, i_restart)), e.const(1.0 - self._t_mul)
            )
            fraction = b.divide(b.subtract(fraction, sum_r), b.power(t_mul, i_restart))
        m_fac = b.power(e.const(self._m_mul), i_restart)
        cosine = b.multiply(
            b.multiply(e.const(0.5), m_fac),
            b.add(one, b.cos(b.multiply(e.const(math.pi), fraction))),
        )
        decayed = b.add(
            b.multiply(e.const(1.0 - self.alpha), cosine), e.const(float(self.alpha))
        )
        return b.multiply(e.const(float(self.initial_learning_rate)), decayed)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


ALL: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (
        CosineDecay,
        CosineDecayRestarts,
        ExponentialDecay,
        InverseTimeDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
    )
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    cls = ALL.get(config.get("class_name", ""))
    if cls is None:
        raise ValueError(
            f"Unknown learning-rate schedule in config: {config.get('class_name')!r}"
        )
    return cls.from_config(dict(config.get("config") or {}))
