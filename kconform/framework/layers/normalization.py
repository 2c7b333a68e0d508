"""Normalization layers (Keras 3 numerics): BatchNormalization, LayerNormalization."""

from __future__ import annotations

from typing import Any

from .. import initializers, regularizers
from .layer import Layer

__all__ = [
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "RMSNormalization",
    "UnitNormalization",
]


class BatchNormalization(Layer):
    """Normalize with batch statistics when training, moving statistics otherwise.

    Training uses the batch mean and the *biased* batch variance, and updates
    ``moving = moving * momentum + batch * (1 - momentum)``; inference uses the
    moving statistics. Output: ``(x - mean) / sqrt(var + epsilon) * gamma + beta``.

    Args:
        axis: The feature axis. Defaults to -1 (channels-last).
        momentum: Momentum of the moving averages. Defaults to 0.99.
        epsilon: Added to the variance. Defaults to 1e-3.
        center: Whether to learn an offset ``beta``. Defaults to ``True``.
        scale: Whether to learn a scale ``gamma``. Defaults to ``True``.
    """

    supports_masking = True

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise ValueError(
                "Received an invalid value for `axis`, expected an int. Received: "
                f"axis={axis!r}"
            )
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(
                "Received an invalid value for `momentum`, expected a float in [0, 1]. "
                f"Received: momentum={momentum!r}"
            )
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        axis = self.axis % ndim if -ndim <= self.axis < ndim else None
        if axis is None or input_shape[axis] is None:
            raise ValueError(
                f"Layer '{self.name}': axis {self.axis} must be a known axis of the "
                f"input. Received: input_shape={tuple(input_shape)}"
            )
        self._axis, self._ndim = axis, ndim
        shape = (input_shape[axis],)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                name="gamma",
            )
        if self.center:
            self.beta = self.add_weight(
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                name="beta",
            )
        self.moving_mean = self.add_weight(
            shape=shape,
            initializer=self.moving_mean_initializer,
            trainable=False,
            name="moving_mean",
        )
        self.moving_variance = self.add_weight(
            shape=shape,
            initializer=self.moving_variance_initializer,
            trainable=False,
            name="moving_variance",
        )
        self._reduce = tuple(i for i in range(ndim) if i != axis)
        self._bshape = tuple(shape[0] if i == axis else 1 for i in range(ndim))
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        e = self._engine
        b = e.b
        dtype = b.dtype(inputs)
        moving_mean, moving_var = self.moving_mean.value, self.moving_variance.value
        if training and self.trainable:
            mean = b.mean(inputs, self._reduce, False)
            var = b.var(inputs, self._reduce, False)  # biased (divisor n), as Keras
            m = e.const(self.momentum, dtype)
            one_minus = e.const(1.0 - self.momentum, dtype)
            self.moving_mean.assign(
                b.add(b.multiply(moving_mean, m), b.multiply(mean, one_minus))
            )
            self.moving_variance.assign(
                b.add(b.multiply(moving_var, m), b.multiply(var, one_minus))
            )
        else:
            mean, var = moving_mean, moving_var
        params = [
            mean,
            var,
            None if self.beta is None else self.beta.value,
            None if self.gamma is None else self.gamma.value,
        ]
        if self._axis != self._ndim - 1:
            params = [None if p is None else b.reshape(p, self._bshape) for p in params]
        return b.batch_norm(
            inputs, params[0], params[1], params[2], params[3], self.epsilon
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }


class LayerNormalization(Layer):
    """Normalize each sample over its last axis; scale by ``gamma``, add ``beta``.

    Args:
        axis: The axis to normalize over. Defaults to -1.
        epsilon: Defaults to 1e-3.
        center: Learn an offset. Defaults to ``True``.
        scale: Learn a scale. Defaults to ``True``.
    """

    supports_masking = True

    def __init__(
        self,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis != -1:
            raise ValueError(f"Only `axis=-1` is supported. Received: axis={axis!r}")
        self.axis, self.epsilon, self.center, self.scale = (
            axis,
            float(epsilon),
            center,
            scale,
        )
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def build(self, input_shape: Any) -> None:
        shape = (input_shape[-1],)
        self.gamma = (
            self.add_weight(
                shape=shape, initializer=self.gamma_initializer, name="gamma"
            )
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(shape=shape, initializer=self.beta_initializer, name="beta")
            if self.center
            else None
        )
        self.built = True

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        mean = b.mean(inputs, -1, True)
        var = b.var(inputs, -1, True)
        return b.batch_norm(
            inputs,
            mean,
            var,
            None if self.beta is None else self.beta.value,
            None if self.gamma is None else self.gamma.value,
            self.epsilon,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm along ``axis`` (Keras: epsilon 1e-12)."""

    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis

    def call(self, inputs: Any) -> Any:
        from ..ops_numpy import normalize

        return normalize(inputs, axis=self.axis, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        axis = list(self.axis) if isinstance(self.axis, tuple) else self.axis
        return {**super().get_config(), "axis": axis}


class GroupNormalization(Layer):
    """Normalize channel groups per sample (Wu & He, 2018), as Keras 3.

    The ``axis`` channels are split into ``groups``; each group of each sample
    is shifted and scaled by its own mean and variance (``moments`` over the
    group's channels and every other non-batch axis), then by ``gamma`` and
    ``beta`` per channel.
    """

    supports_masking = True

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.groups, self.axis, self.epsilon = int(groups), int(axis), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def build(self, input_shape: Any) -> None:
        dim = input_shape[self.axis]
        if dim is None or dim % self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) must divide the {dim} channels of "
                f"axis {self.axis} (input shape {tuple(input_shape)})."
            )
        self.gamma = (
            self.add_weight(
                shape=(dim,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                name="gamma",
            )
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(
                shape=(dim,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                name="beta",
            )
            if self.center
            else None
        )
        self.built = True

    def call(self, inputs: Any) -> Any:
        e = self._engine
        b = e.b
        shape = b.shape(inputs)
        ndim = len(shape)
        axis = self.axis % ndim
        grouped = list(shape)
        grouped[axis] = shape[axis] // self.groups
        grouped.insert(axis, self.groups)
        x = b.reshape(inputs, tuple(grouped))
        dtype = b.dtype(x)
        reduce = tuple(i for i in range(1, ndim + 1) if i != axis)
        mean = b.mean(x, reduce, True)
        var = b.var(x, reduce, True)
        inv = b.rsqrt(b.add(var, e.const(self.epsilon, dtype)))
        bshape = [1] * ndim
        bshape[axis] = shape[axis] // self.groups
        bshape.insert(axis, self.groups)
        if self.gamma is not None:
            inv = b.multiply(inv, b.reshape(self.gamma.value, tuple(bshape)))
        res = b.multiply(b.negative(mean), inv)
        if self.beta is not None:
            res = b.add(res, b.reshape(self.beta.value, tuple(bshape)))
        return b.reshape(b.add(b.multiply(x, inv), res), shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
        }


class RMSNormalization(Layer):
    """``x * rsqrt(mean(x**2, axis) + epsilon) * scale`` (Zhang & Sennrich, 2019)."""

    supports_masking = True

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = float(epsilon)

    def build(self, input_shape: Any) -> None:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        shape = tuple(input_shape[a] for a in sorted(axes))
        self.scale = self.add_weight(shape=shape, initializer="ones", name="scale")
        self.built = True

    def call(self, inputs: Any) -> Any:
        e = self._engine
        b = e.b
        axis = tuple(sorted(self.axis)) if isinstance(self.axis, list) else self.axis
        dtype = b.dtype(inputs)
        rrms = b.rsqrt(
            b.add(b.mean(b.square(inputs), axis, True), e.const(self.epsilon, dtype))
        )
        return b.multiply(b.multiply(inputs, rrms), self.scale.value)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
