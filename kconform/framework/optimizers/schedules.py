"""Learning-rate schedules: a function of the optimizer's step counter."""

from __future__ import annotations

from typing import Any

from .._engine import current_engine

__all__ = ["ExponentialDecay", "LearningRateSchedule", "deserialize", "serialize"]


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
        p = b.divide(e.cast(step, "float32"), e.const(float(self.decay_steps)))
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


ALL = {"ExponentialDecay": ExponentialDecay}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    cls = ALL.get(config.get("class_name", ""))
    if cls is None:
        raise ValueError(
            f"Unknown learning-rate schedule in config: {config.get('class_name')!r}"
        )
    return cls.from_config(dict(config.get("config") or {}))
