"""Weight initializers, drawn on the host with NumPy (Keras 3 definitions).

Every initializer returns a NumPy array; the variable that receives it moves
it to its backend. With ``seed=None`` values come from the framework's host
generator (see ``keras.utils.set_random_seed``); with an int seed every call
gives the same values, as in Keras 3.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kconform.dtypes import to_numpy_dtype

from . import _config
from .utils import rng as _rng

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "deserialize",
    "get",
    "serialize",
]


class Initializer:
    """Base class: ``initializer(shape, dtype)`` returns a NumPy array."""

    def __call__(self, shape: tuple[int, ...], dtype: str | None = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)


def _out(values: np.ndarray, dtype: str | None) -> np.ndarray:
    return np.asarray(values, dtype=to_numpy_dtype(dtype or _config.floatx()))


class _Seeded(Initializer):
    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (not isinstance(seed, int) or seed < 0):
            raise ValueError(
                "Received an invalid value for `seed`, expected None or a "
                f"non-negative integer. Received: seed={seed!r}"
            )
        self.seed = seed

    def _gen(self) -> np.random.Generator:
        return (
            _rng.host_rng() if self.seed is None else np.random.default_rng(self.seed)
        )

    def _truncated(
        self, shape: tuple[int, ...], stddev: float, mean: float = 0.0
    ) -> np.ndarray:
        gen = self._gen()
        x = gen.standard_normal(shape)
        bad = np.abs(x) > 2.0
        while bad.any():  # redraw, not clip: the Keras/TF truncated normal
            x[bad] = gen.standard_normal(int(bad.sum()))
            bad = np.abs(x) > 2.0
        return mean + stddev * x

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class Zeros(Initializer):
    """Initialize to 0."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=to_numpy_dtype(dtype or _config.floatx()))


class Ones(Initializer):
    """Initialize to 1."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=to_numpy_dtype(dtype or _config.floatx()))


class Constant(Initializer):
    """Initialize to a constant ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape, dtype=None):
        return _out(np.full(shape, self.value), dtype)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(_Seeded):
    """Normal distribution; defaults ``mean=0.0``, ``stddev=0.05``."""

    def __init__(
        self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None
    ):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _out(self._gen().normal(self.mean, self.stddev, shape), dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal distribution redrawn beyond two standard deviations."""

    def __call__(self, shape, dtype=None):
        return _out(self._truncated(tuple(shape), self.stddev, self.mean), dtype)


class RandomUniform(_Seeded):
    """Uniform distribution on ``[minval, maxval)``; defaults ``-0.05``, ``0.05``."""

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return _out(self._gen().uniform(self.minval, self.maxval, shape), dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """Fan-in and fan-out of a kernel shape, as Keras computes them."""
    shape = tuple(shape)
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class VarianceScaling(_Seeded):
    """Scale the variance by the fan: the family of Glorot, He and LeCun initializers.

    Args:
        scale: Positive scaling factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``.
        seed: Optional int seed.
    """

    def __init__(
        self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None
    ):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(
                "Received an invalid value for `scale`, expected a positive "
                f"float. Received: scale={scale}"
            )
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                "Received an invalid value for `mode`, expected one of 'fan_in', "
                f"'fan_out', 'fan_avg'. Received: mode={mode!r}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "Received an invalid value for `distribution`, expected one of "
                "'truncated_normal', 'untruncated_normal', 'uniform'. "
                f"Received: distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        fan = {
            "fan_in": fan_in,
            "fan_out": fan_out,
            "fan_avg": (fan_in + fan_out) / 2.0,
        }
        scale = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            # 0.879... is the stddev of a standard normal truncated to (-2, 2)
            return _out(
                self._truncated(tuple(shape), math.sqrt(scale) / 0.87962566103423978),
                dtype,
            )
        if self.distribution == "untruncated_normal":
            return _out(self._gen().normal(0.0, math.sqrt(scale), shape), dtype)
        limit = math.sqrt(3.0 * scale)
        return _out(self._gen().uniform(-limit, limit, shape), dtype)

    def get_config(self):
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


def _fixed(name: str, scale: float, mode: str, distribution: str, doc: str) -> type:
    def __init__(self, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    return type(
        name,
        (VarianceScaling,),
        {"__init__": __init__, "get_config": get_config, "__doc__": doc},
    )


GlorotUniform = _fixed(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    "Uniform on ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``.",
)
GlorotNormal = _fixed(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Truncated normal, ``stddev = sqrt(2 / (fan_in + fan_out))``.",
)
HeUniform = _fixed(
    "HeUniform",
    2.0,
    "fan_in",
    "uniform",
    "Uniform on ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``.",
)
HeNormal = _fixed(
    "HeNormal",
    2.0,
    "fan_in",
    "truncated_normal",
    "Truncated normal, ``stddev = sqrt(2 / fan_in)``.",
)
LecunUniform = _fixed(
    "LecunUniform",
    1.0,
    "fan_in",
    "uniform",
    "Uniform on ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``.",
)
LecunNormal = _fixed(
    "LecunNormal",
    1.0,
    "fan_in",
    "truncated_normal",
    "Truncated normal, ``stddev = sqrt(1 / fan_in)``.",
)


class Orthogonal(_Seeded):
    """A (semi-)orthogonal matrix from the QR of a normal one, times ``gain``."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "The Orthogonal initializer needs a shape of rank >= 2. "
                f"Received: shape={shape}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = self._gen().standard_normal(flat)
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # make the decomposition unique
        if rows < cols:
            q = q.T
        return _out(self.gain * q.reshape(shape), dtype)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; Keras's ``Identity``)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return _out(self.gain * np.eye(*shape), dtype)

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity

ALL: dict[str, type] = {
    "identity": Identity,
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "normal": RandomNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
}
_BY_CLASS = {cls.__name__: cls for cls in ALL.values()}
OrthogonalInitializer = Orthogonal
# Keras also exposes each initializer class under its snake_case name.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = (
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
)
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = (
    HeUniform,
    HeNormal,
    LecunUniform,
    LecunNormal,
)


def serialize(initializer: Initializer) -> dict[str, Any]:
    """Config dict ``{"class_name", "config"}`` of a built-in initializer."""
    return {
        "class_name": type(initializer).__name__,
        "config": initializer.get_config(),
    }


def deserialize(config: dict[str, Any]) -> Initializer:
    """Rebuild an initializer from :func:`serialize`'s output."""
    cls = _BY_CLASS.get(config.get("class_name", ""))
    if cls is None:
        raise ValueError(
            f"Unknown initializer class in config: {config.get('class_name')!r}"
        )
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier: Any) -> Initializer:
    """Resolve a name (``"glorot_uniform"``), config dict, initializer or callable."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        cls = ALL.get(key) or _BY_CLASS.get(identifier)
        if cls is None:
            raise ValueError(
                f"Unknown initializer: {identifier!r}. Expected one of "
                f"{sorted(ALL)} or an Initializer instance."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return _Callable(identifier)
    raise ValueError(
        "Could not interpret initializer identifier: "
        f"{identifier!r}. Expected a name, a config dict or a callable."
    )


class _Callable(Initializer):
    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __call__(self, shape, dtype=None):
        return _out(np.asarray(self.fn(shape, dtype)), dtype)
