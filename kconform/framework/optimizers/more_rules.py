"""Update rules of Adamax, Nadam, Adadelta and Lion (Keras 3, op for op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._engine import Engine
from ..variables import Variable
from .base import Optimizer
from .rules import _check_range, _operands

__all__ = ["Adadelta", "Adamax", "Lion", "Nadam"]


class _Betas(Optimizer):
    """An optimizer with ``beta_1``, ``beta_2`` and ``epsilon``."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = _check_range(beta_1, "beta_1")
        self.beta_2 = _check_range(beta_2, "beta_2")
        self.epsilon = float(epsilon)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


class Adamax(_Betas):
    """Adam with the infinity norm: ``u = max(beta_2 * u, |g|)``;
    ``v -= lr * m / ((1 - beta_1**t) * (u + epsilon))``."""

    def __init__(self, learning_rate: Any = 0.001, name: str = "adamax", **kw: Any):
        super().__init__(learning_rate=learning_rate, name=name, **kw)

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum")
        self.norms = self.add_optimizer_variables(var_list, "norm")

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any):
        e = self._engine
        b = e.b
        dt = variable.dtype
        lr, g = _operands(e, learning_rate, gradient, dt)
        step = e.cast(b.add(self.iterations.value, e.const(1, "int32")), dt)
        beta_1_power = b.power(e.const(self.beta_1, dt), step)
        m, u = self._slot(self.momentums, variable), self._slot(self.norms, variable)
        m.assign(
            b.add(
                m.value,
                b.multiply(b.subtract(g, m.value), e.const(1 - self.beta_1, dt)),
            )
        )
        u.assign(b.maximum(b.multiply(e.const(self.beta_2, dt), u.value), b.abs(g)))
        denom = b.multiply(
            b.subtract(e.const(1.0, dt), beta_1_power),
            b.add(u.value, e.const(self.epsilon, dt)),
        )
        variable.assign(
            b.subtract(variable.value, b.divide(b.multiply(lr, m.value), denom))
        )


class Nadam(_Betas):
    """Adam with Nesterov momentum and the 0.96 momentum schedule (Dozat, 2016)."""

    def __init__(self, learning_rate: Any = 0.001, name: str = "nadam", **kw: Any):
        super().__init__(learning_rate=learning_rate, name=name, **kw)

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum")
        self.velocities = self.add_optimizer_variables(var_list, "velocity")
        dtype = var_list[0].dtype if var_list else "float32"
        self.u_product = self._make("u_product", np.ones((), dtype), dtype)

    def _apply(self, e: Engine, grads: list[Any], variables: list[Variable]) -> None:
        b = e.b
        dt = self.u_product.dtype
        step = e.cast(b.add(self.iterations.value, e.const(1, "int32")), dt)
        factor = b.subtract(
            e.const(1.0, dt),
            b.multiply(e.const(0.5, dt), b.power(e.const(0.96, dt), step)),
        )
        self.u_product.assign(
            b.multiply(
                b.multiply(self.u_product.value, e.const(self.beta_1, dt)), factor
            )
        )
        super()._apply(e, grads, variables)

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any):
        e = self._engine
        b = e.b
        dt = variable.dtype
        lr, g = _operands(e, learning_rate, gradient, dt)
        one = e.const(1.0, dt)
        it = self.iterations.value
        local_step = e.cast(b.add(it, e.const(1, "int32")), dt)
        next_step = e.cast(b.add(it, e.const(2, "int32")), dt)
        decay, beta_1 = e.const(0.96, dt), e.const(self.beta_1, dt)
        half = e.const(0.5, dt)
        u_t = b.multiply(
            beta_1, b.subtract(one, b.multiply(half, b.power(decay, local_step)))
        )
        u_t_1 = b.multiply(
            beta_1, b.subtract(one, b.multiply(half, b.power(decay, next_step)))
        )
        u_product_t = e.cast(self.u_product.value, dt)
        u_product_t_1 = b.multiply(u_product_t, u_t_1)
        beta_2_power = b.power(e.const(self.beta_2, dt), local_step)
        m = self._slot(self.momentums, variable)
        v = self._slot(self.velocities, variable)
        m.assign(
            b.add(
                m.value,
                b.multiply(b.subtract(g, m.value), e.const(1 - self.beta_1, dt)),
            )
        )
        v.assign(
            b.add(
                v.value,
                b.multiply(
                    b.subtract(b.square(g), v.value), e.const(1 - self.beta_2, dt)
                ),
            )
        )
        m_hat = b.add(
            b.divide(b.multiply(u_t_1, m.value), b.subtract(one, u_product_t_1)),
            b.divide(b.multiply(b.subtract(one, u_t), g), b.subtract(one, u_product_t)),
        )
        v_hat = b.divide(v.value, b.subtract(one, beta_2_power))
        update = b.divide(
            b.multiply(m_hat, lr), b.add(b.sqrt(v_hat), e.const(self.epsilon, dt))
        )
        variable.assign(b.subtract(variable.value, update))


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): step sizes from running averages of squared
    gradients and squared updates. Defaults ``learning_rate=0.001, rho=0.95``."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        name: str = "adadelta",
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.epsilon = _check_range(rho, "rho"), float(epsilon)

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.accumulated_grads = self.add_optimizer_variables(
            var_list, "accumulated_grad"
        )
        self.accumulated_deltas = self.add_optimizer_variables(
            var_list, "accumulated_delta_var"
        )

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any):
        e = self._engine
        b = e.b
        dt = variable.dtype
        lr, g = _operands(e, learning_rate, gradient, dt)
        rho, keep = e.const(self.rho, dt), e.const(1 - self.rho, dt)
        eps = e.const(self.epsilon, dt)
        acc_g = self._slot(self.accumulated_grads, variable)
        acc_d = self._slot(self.accumulated_deltas, variable)
        acc_g.assign(b.add(b.multiply(rho, acc_g.value), b.multiply(keep, b.square(g))))
        delta = b.negative(
            b.divide(
                b.multiply(b.sqrt(b.add(acc_d.value, eps)), g),
                b.sqrt(b.add(acc_g.value, eps)),
            )
        )
        acc_d.assign(
            b.add(b.multiply(rho, acc_d.value), b.multiply(keep, b.square(delta)))
        )
        variable.assign(b.add(variable.value, b.multiply(lr, delta)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Lion(_Betas):
    """Lion (Chen et al., 2023): ``v -= lr * sign(beta_1 * m + (1 - beta_1) * g)``;
    ``m = beta_2 * m + (1 - beta_2) * g``. Defaults ``beta_2=0.99``."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
        name: str = "lion",
        **kwargs: Any,
    ) -> None:
        kwargs.pop("epsilon", None)
        super().__init__(learning_rate, beta_1, beta_2, name=name, **kwargs)
        if self.beta_1 <= 0:
            raise ValueError(f"`beta_1` must be in (0, 1]. Received: {beta_1}")

    def build(self, var_list: list[Variable]) -> None:
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any):
        e = self._engine
        b = e.b
        dt = variable.dtype
        lr, g = _operands(e, learning_rate, gradient, dt)
        m = self._slot(self.momentums, variable)
        beta_1, beta_2 = e.const(self.beta_1, dt), e.const(self.beta_2, dt)
        direction = b.sign(
            b.add(
                b.multiply(m.value, beta_1),
                b.multiply(g, e.const(1.0 - self.beta_1, dt)),
            )
        )
        variable.assign(b.subtract(variable.value, b.multiply(lr, direction)))
        m.assign(
            b.add(
                b.multiply(m.value, beta_2),
                b.multiply(g, e.const(1.0 - self.beta_2, dt)),
            )
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("epsilon", None)
        return config
