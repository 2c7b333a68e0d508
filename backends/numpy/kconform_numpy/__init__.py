"""kconform backend: NumPy, the reference (autodiff by autograd, bfloat16 by ml_dtypes).

Tensors are :class:`NumpyTensor` (a bare ``numpy.ndarray`` subclass, so that
``is_tensor`` tells them from host arrays); :func:`tensor` views any array as
one without copying. Every hook of the contract is an attribute of this
module; the implementations live in submodules by group.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

import autograd
import ml_dtypes
import numpy as np

import kconform
from kconform.deviations import read_deviations

from ._core import NumpyTensor
from ._core import out as tensor
from .autodiff import kconform_stop_gradient, kconform_value_and_grad
from .conv import (
    kconform_avg_pool2d,
    kconform_conv1d,
    kconform_conv2d,
    kconform_max_pool2d,
)
from .elementwise import (
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
from .nn import (
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
from .random import (
    kconform_random_bernoulli,
    kconform_random_normal,
    kconform_random_permutation,
    kconform_random_truncated_normal,
    kconform_random_uniform,
)
from .reductions import (
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
from .shape import (
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
from .tensors import (
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


def _version(dist: str, fallback: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return fallback


@kconform.hookimpl
def kconform_backend_info() -> dict[str, Any]:
    """Name, versions and device of the NumPy backend."""
    return {
        "name": "numpy",
        "version": _version("kconform-numpy", "0.1.0"),
        "framework": "numpy",
        "framework_version": np.__version__,
        "device": "cpu",
        "autograd_version": _version("autograd", getattr(autograd, "__version__", "?")),
        "ml_dtypes_version": ml_dtypes.__version__,
    }


@kconform.hookimpl
def kconform_capabilities() -> list[str]:
    """Every dtype, and determinism; no compilation."""
    return ["float16", "bfloat16", "float64", "deterministic"]


@kconform.hookimpl
def kconform_deviations() -> list[dict[str, str]]:
    """The deviations declared in ``deviations.toml`` beside this module."""
    return read_deviations(Path(__file__).with_name("deviations.toml"))


@kconform.hookimpl
def kconform_configure_numerics(deterministic: bool, allow_fast_matmul: bool) -> None:
    """Nothing to set: NumPy is deterministic and has no TF32-style fast paths."""
    del deterministic, allow_fast_matmul


__all__ = [
    "NumpyTensor",
    "tensor",
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
