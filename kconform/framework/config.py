"""``keras.config``: the default backend, floatx, epsilon, data format, dtype policy."""

from __future__ import annotations

from ._config import (
    backend,
    epsilon,
    floatx,
    get_backend,
    set_backend,
    set_epsilon,
    set_floatx,
    use_backend,
)

__all__ = [
    "backend",
    "dtype_policy",
    "epsilon",
    "floatx",
    "get_backend",
    "image_data_format",
    "set_backend",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "use_backend",
]


def image_data_format() -> str:
    """Always ``"channels_last"``: the framework's layers are channels-last."""
    return "channels_last"


def set_image_data_format(data_format: str) -> None:
    """Accept ``"channels_last"``; refuse ``"channels_first"`` (not implemented)."""
    if data_format != "channels_last":
        raise ValueError(
            "The reference framework implements channels_last only. Received: "
            f"data_format={data_format!r}"
        )


def dtype_policy() -> str:
    """The dtype policy: the name of ``floatx()`` (no mixed precision)."""
    return floatx()


def set_dtype_policy(policy: object) -> None:
    """Set a plain float policy (``"float32"``, ``"float64"``...) as floatx;
    mixed-precision policies are refused (not implemented)."""
    name = getattr(policy, "name", policy)
    if not isinstance(name, str) or name.startswith("mixed"):
        raise ValueError(
            "Mixed-precision dtype policies are not implemented by the reference "
            f"framework. Received: {policy!r}"
        )
    set_floatx(name)
