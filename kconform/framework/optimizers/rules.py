"""Update rules of SGD, Adam, AdamW, RMSprop, Adagrad (Keras 3, op for op).

Python-number hyperparameters become constants of the variable's dtype, as
Keras's weakly-typed scalars do: ``1 - beta_1`` is computed in Python and then
rounded, not computed in float32.
"""

from __future__ import annotations

from typing import Any

from ..variables import Variable
from .base import Optimizer

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "RMSprop"]


def _operands(e: Any, learning_rate: Any, gradient: Any, dtype: str) -> tuple[Any, Any]:
    """Keras casts both to the variable's dtype; a float32 variable needs neither.

    The learning rate is a float32 variable or schedule output, and the contract
    gives every gradient its parameter's dtype.
    """
    if dtype == "float32":
        return learning_rate, gradient
    return e.cast(learning_rate, dtype), e.cast(gradient, dtype)


def _check_range(value: float, name: str, low: float = 0.0, high: float = 1.0) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not low <= value <= high
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a float in [{low}, "
            f"{high}]. "
            f"Received: {name}={value!r}"
        )
    return float(value)


class SGD(Optimizer):
    """Gradient descent with optional momentum and Nesterov momentum.

    ``m = momentum * m - lr * g; v += m`` (Nesterov: ``v += momentum * m - lr * g``);
    without momentum ``v -= lr * g``. Defaults: ``learning_rate=0.01``,
    ``momentum=0.0``.
    """

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        name: str = "SGD",
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum = _check_range(momentum, "momentum")
        self.nesterov = nesterov

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.momentums = (
            self.add_optimizer_variables(var_list, "momentum") if self.momentum else []
        )

    def update_step(
        self, gradient: Any, variable: Variable, learning_rate: Any
    ) -> None:
        e = self._engine
        b = e.b
        lr, g = _operands(e, learning_rate, gradient, variable.dtype)
        if not self.momentum:
            variable.assign(b.subtract(variable.value, b.multiply(g, lr)))
            return
        m = self._slot(self.momentums, variable)
        mom = e.const(self.momentum, variable.dtype)
        m_new = b.subtract(b.multiply(m.value, mom), b.multiply(g, lr))
        m.assign(m_new)
        if self.nesterov:
            step = b.subtract(b.multiply(m_new, mom), b.multiply(g, lr))
            variable.assign(b.add(variable.value, step))
        else:
            variable.assign(b.add(variable.value, m_new))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "nesterov": self.nesterov,
        }


class Adam(Optimizer):
    """Adam (Kingma & Ba, https://arxiv.org/abs/1412.6980), Keras 3's formulation.

    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``;
    ``v -= m * alpha / (sqrt(v_hat) + epsilon)`` — epsilon outside the
    bias-corrected square root. Defaults: ``learning_rate=0.001``,
    ``beta_1=0.9``, ``beta_2=0.999``, ``epsilon=1e-7``, ``amsgrad=False``.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        name: str = "adam",
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = _check_range(beta_1, "beta_1")
        self.beta_2 = _check_range(beta_2, "beta_2")
        self.epsilon, self.amsgrad = float(epsilon), amsgrad

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum")
        self.velocities = self.add_optimizer_variables(var_list, "velocity")
        self.velocity_hats = (
            self.add_optimizer_variables(var_list, "velocity_hat")
            if self.amsgrad
            else []
        )

    def update_step(
        self, gradient: Any, variable: Variable, learning_rate: Any
    ) -> None:
        e = self._engine
        b = e.b
        dt = variable.dtype
        lr, g = _operands(e, learning_rate, gradient, dt)
        step = e.cast(b.add(self.iterations.value, e.const(1, "int32")), dt)
        beta_1_power = b.power(e.const(self.beta_1, dt), step)
        beta_2_power = b.power(e.const(self.beta_2, dt), step)
        one = e.const(1.0, dt)
        alpha = b.divide(
            b.multiply(lr, b.sqrt(b.subtract(one, beta_2_power))),
            b.subtract(one, beta_1_power),
        )
        m, v = (
            self._slot(self.momentums, variable),
            self._slot(self.velocities, variable),
        )
        m_new = b.add(
            m.value, b.multiply(b.subtract(g, m.value), e.const(1 - self.beta_1, dt))
        )
        v_new = b.add(
            v.value,
            b.multiply(b.subtract(b.square(g), v.value), e.const(1 - self.beta_2, dt)),
        )
        m.assign(m_new)
        v.assign(v_new)
        if self.amsgrad:
            v_hat = self._slot(self.velocity_hats, variable)
            v_new = b.maximum(v_hat.value, v_new)
            v_hat.assign(v_new)
        update = b.divide(
            b.multiply(m_new, alpha), b.add(b.sqrt(v_new), e.const(self.epsilon, dt))
        )
        variable.assign(b.subtract(variable.value, update))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay ``v -= v * weight_decay * lr`` (0.004)."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        name: str = "adamw",
        **kwargs: Any,
    ) -> None:
        if weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None"
            )
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            name=name,
            weight_decay=weight_decay,
            **kwargs,
        )


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), Keras 3's formulation.

    ``ms = rho * ms + (1 - rho) * g**2``; ``v -= lr * g / sqrt(ms + epsilon)`` —
    epsilon inside the square root. ``centered`` subtracts the squared mean
    gradient; ``momentum`` accumulates the increments. Defaults:
    ``learning_rate=0.001``, ``rho=0.9``, ``momentum=0.0``, ``epsilon=1e-7``.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        name: str = "rmsprop",
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = _check_range(rho, "rho")
        self.momentum = _check_range(momentum, "momentum")
        self.epsilon, self.centered = float(epsilon), centered

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.velocities = self.add_optimizer_variables(var_list, "velocity")
        self.momentums = (
            self.add_optimizer_variables(var_list, "momentum")
            if self.momentum > 0
            else []
        )
        self.average_gradients = (
            self.add_optimizer_variables(var_list, "average_gradient")
            if self.centered
            else []
        )

    def update_step(
        self, gradient: Any, variable: Variable, learning_rate: Any
    ) -> None:
        e = self._engine
        b = e.b
        dt = variable.dtype
        lr, g = _operands(e, learning_rate, gradient, dt)
        rho, one_minus_rho = e.const(self.rho, dt), e.const(1 - self.rho, dt)
        vel = self._slot(self.velocities, variable)
        vel_new = b.add(
            b.multiply(rho, vel.value), b.multiply(one_minus_rho, b.square(g))
        )
        vel.assign(vel_new)
        eps = e.const(self.epsilon, dt)
        if self.centered:
            avg = self._slot(self.average_gradients, variable)
            avg_new = b.add(b.multiply(rho, avg.value), b.multiply(one_minus_rho, g))
            avg.assign(avg_new)
            denominator = b.add(b.subtract(vel_new, b.square(avg_new)), eps)
        else:
            denominator = b.add(vel_new, eps)
        increment = b.divide(b.multiply(lr, g), b.sqrt(denominator))
        if self.momentum > 0:
            mom = self._slot(self.momentums, variable)
            mom_new = b.add(
                b.multiply(e.const(self.momentum, dt), mom.value), increment
            )
            mom.assign(mom_new)
            variable.assign(b.subtract(variable.value, mom_new))
        else:
            variable.assign(b.subtract(variable.value, increment))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Adagrad: ``acc += g**2; v -= lr * g / sqrt(acc + epsilon)``, ``acc`` from 0.1."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        name: str = "adagrad",
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value, self.epsilon = (
            initial_accumulator_value,
            float(epsilon),
        )

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.accumulators = self.add_optimizer_variables(var_list, "accumulator")
        for acc in self.accumulators:
            acc.assign(acc.numpy() + self.initial_accumulator_value)

    def update_step(
        self, gradient: Any, variable: Variable, learning_rate: Any
    ) -> None:
        e = self._engine
        b = e.b
        dt = variable.dtype
        lr, g = _operands(e, learning_rate, gradient, dt)
        acc = self._slot(self.accumulators, variable)
        acc_new = b.add(acc.value, b.square(g))
        acc.assign(acc_new)
        update = b.divide(
            b.multiply(lr, g), b.sqrt(b.add(acc_new, e.const(self.epsilon, dt)))
        )
        variable.assign(b.subtract(variable.value, update))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
