"""kconform backend plugin for JAX: every contract hook, bound to jax.numpy and lax.

Importing this module imports JAX and turns on 64-bit types
(``jax_enable_x64``), which float64 and int64 in the dtype matrix need; every
op passes explicit dtypes, so JAX's 64-bit defaults never leak into results.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jax

jax.config.update("jax_enable_x64", True)


def _compilation_cache() -> str | None:
    """Keep XLA's compiled programs on disk between runs, when asked to.

    A run compiles thousands of small programs (one per op, shapes, dtypes and
    static arguments), most of its time; with ``KCONFORM_JAX_CACHE=DIR`` the
    second run on a machine loads them instead (the float32 op cases: 84 s,
    then 31 s). The cache is JAX's own (keyed by the program, the compile
    options, jaxlib and the device), without a size cap: JAX's cap takes a
    file lock and rescans the whole directory on every write, which made a
    run under ``pytest -n 2`` wait on the lock half of its time. It is off by
    default for that reason too (two runs sharing one directory write the same
    entries). A cache the user configured for JAX itself is left as it is.
    """
    configured = os.environ.get("JAX_COMPILATION_CACHE_DIR") or (
        jax.config.jax_compilation_cache_dir
    )
    if configured:
        return str(configured)
    setting = os.environ.get("KCONFORM_JAX_CACHE", "").strip()
    if setting.lower() in ("", "0", "off", "no", "false"):
        return None
    path = os.path.abspath(os.path.expanduser(setting))
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path


_CACHE = _compilation_cache()

from kconform import hookimpl  # noqa: E402
from kconform.deviations import read_deviations  # noqa: E402

from .autodiff import (  # noqa: E402
    kconform_configure_numerics,
    kconform_jit,
    kconform_stop_gradient,
    kconform_value_and_grad,
)
from .conv import (  # noqa: E402
    kconform_avg_pool2d,
    kconform_conv1d,
    kconform_conv2d,
    kconform_max_pool2d,
)
from .elementwise import (  # noqa: E402
    kconform_abs,
    kconform_add,
    kconform_ceil,
    kconform_clip,
    kconform_cos,
    kconform_divide,
    kconform_equal,
    kconform_erf,
    kconform_exp,
    kconform_expm1,
    kconform_floor,
    kconform_greater,
    kconform_greater_equal,
    kconform_isfinite,
    kconform_isinf,
    kconform_isnan,
    kconform_less,
    kconform_less_equal,
    kconform_log,
    kconform_log1p,
    kconform_logical_and,
    kconform_logical_not,
    kconform_logical_or,
    kconform_maximum,
    kconform_minimum,
    kconform_multiply,
    kconform_negative,
    kconform_not_equal,
    kconform_power,
    kconform_round,
    kconform_rsqrt,
    kconform_sign,
    kconform_sin,
    kconform_sqrt,
    kconform_square,
    kconform_subtract,
    kconform_tanh,
    kconform_where,
)
from .nn import (  # noqa: E402
    kconform_batch_norm,
    kconform_einsum,
    kconform_gelu,
    kconform_log_softmax,
    kconform_matmul,
    kconform_one_hot,
    kconform_relu,
    kconform_sigmoid,
    kconform_softmax,
    kconform_softplus,
)
from .random import (  # noqa: E402
    kconform_random_bernoulli,
    kconform_random_normal,
    kconform_random_permutation,
    kconform_random_truncated_normal,
    kconform_random_uniform,
)
from .reductions import (  # noqa: E402
    kconform_all,
    kconform_any,
    kconform_argmax,
    kconform_argmin,
    kconform_logsumexp,
    kconform_max,
    kconform_mean,
    kconform_min,
    kconform_prod,
    kconform_std,
    kconform_sum,
    kconform_var,
)
from .shape import (  # noqa: E402
    kconform_broadcast_to,
    kconform_concatenate,
    kconform_expand_dims,
    kconform_pad,
    kconform_reshape,
    kconform_slice,
    kconform_split,
    kconform_squeeze,
    kconform_stack,
    kconform_take,
    kconform_take_along_axis,
    kconform_tile,
    kconform_transpose,
)
from .tensors import (  # noqa: E402
    kconform_arange,
    kconform_cast,
    kconform_dtype,
    kconform_eye,
    kconform_from_numpy,
    kconform_full,
    kconform_is_tensor,
    kconform_ones,
    kconform_shape,
    kconform_to_numpy,
    kconform_zeros,
)

NAME = "jax"


def _plugin_version() -> str:
    try:
        return version("kconform-jax")
    except PackageNotFoundError:  # loaded as a plain module, not installed
        return "0.1.0"


@hookimpl
def kconform_backend_info() -> dict[str, Any]:
    """Name, versions and the device JAX computes on."""
    device = jax.devices()[0]
    return {
        "name": NAME,
        "version": _plugin_version(),
        "framework": "jax",
        "framework_version": jax.__version__,
        "device": f"{device.platform}:{device.id}",
        "compilation_cache": _CACHE or "off",
    }


@hookimpl
def kconform_capabilities() -> list[str]:
    """Every capability: float16, bfloat16, float64 (x64 on), jit and determinism."""
    return ["float16", "bfloat16", "float64", "jit", "deterministic"]


@hookimpl
def kconform_deviations() -> list[dict[str, str]]:
    """The cases JAX is known to fail, from ``deviations.toml`` beside this module."""
    return read_deviations(Path(__file__).with_name("deviations.toml"))


__all__ = [
    "kconform_abs",
    "kconform_add",
    "kconform_all",
    "kconform_any",
    "kconform_arange",
    "kconform_argmax",
    "kconform_argmin",
    "kconform_avg_pool2d",
    "kconform_backend_info",
    "kconform_batch_norm",
    "kconform_broadcast_to",
    "kconform_capabilities",
    "kconform_cast",
    "kconform_ceil",
    "kconform_clip",
    "kconform_concatenate",
    "kconform_configure_numerics",
    "kconform_conv1d",
    "kconform_conv2d",
    "kconform_cos",
    "kconform_deviations",
    "kconform_divide",
    "kconform_dtype",
    "kconform_einsum",
    "kconform_equal",
    "kconform_erf",
    "kconform_exp",
    "kconform_expand_dims",
    "kconform_expm1",
    "kconform_eye",
    "kconform_floor",
    "kconform_from_numpy",
    "kconform_full",
    "kconform_gelu",
    "kconform_greater",
    "kconform_greater_equal",
    "kconform_is_tensor",
    "kconform_isfinite",
    "kconform_isinf",
    "kconform_isnan",
    "kconform_jit",
    "kconform_less",
    "kconform_less_equal",
    "kconform_log",
    "kconform_log1p",
    "kconform_log_softmax",
    "kconform_logical_and",
    "kconform_logical_not",
    "kconform_logical_or",
    "kconform_logsumexp",
    "kconform_matmul",
    "kconform_max",
    "kconform_max_pool2d",
    "kconform_maximum",
    "kconform_mean",
    "kconform_min",
    "kconform_minimum",
    "kconform_multiply",
    "kconform_negative",
    "kconform_not_equal",
    "kconform_one_hot",
    "kconform_ones",
    "kconform_pad",
    "kconform_power",
    "kconform_prod",
    "kconform_random_bernoulli",
    "kconform_random_normal",
    "kconform_random_permutation",
    "kconform_random_truncated_normal",
    "kconform_random_uniform",
    "kconform_relu",
    "kconform_reshape",
    "kconform_round",
    "kconform_rsqrt",
    "kconform_shape",
    "kconform_sigmoid",
    "kconform_sign",
    "kconform_sin",
    "kconform_slice",
    "kconform_softmax",
    "kconform_softplus",
    "kconform_split",
    "kconform_sqrt",
    "kconform_square",
    "kconform_squeeze",
    "kconform_stack",
    "kconform_std",
    "kconform_stop_gradient",
    "kconform_subtract",
    "kconform_sum",
    "kconform_take",
    "kconform_take_along_axis",
    "kconform_tanh",
    "kconform_tile",
    "kconform_to_numpy",
    "kconform_transpose",
    "kconform_value_and_grad",
    "kconform_var",
    "kconform_where",
    "kconform_zeros",
]
