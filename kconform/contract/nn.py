"""Contract groups ``linalg`` and ``nn``: products, activations, convolutions, pooling.

Images and sequences are channels-last: ``(batch, width, channels)`` and
``(batch, height, width, channels)``. ``padding`` is ``"valid"`` (no padding)
or ``"same"``: the output length along an axis is ``ceil(n / stride)`` and the
``total = max((out - 1) * stride + dilation * (k - 1) + 1 - n, 0)`` padding is
split ``total // 2`` before and the rest after (TensorFlow's convention). Any
other padding string, a channel mismatch or a kernel of the wrong rank must
raise. Sums inside these ops are measured against the floating-point error
bound of the sum (see ``specs/``), not in ULPs.
"""

from __future__ import annotations

from typing import Any

from ._marker import op

Tensor = Any


@op("linalg")
def kconform_matmul(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the matrix product with ``numpy.matmul`` semantics.

    Rank-1 operands are promoted to a row (``x1``) or a column (``x2``) and the
    added axis removed; leading batch axes broadcast. Inner dimensions that
    differ must raise, never broadcast. The result dtype is the promotion of
    the inputs'. Accumulation is in at least the input precision: a fast path
    that rounds float32 inputs to fewer mantissa bits (TF32, bfloat16) is off
    under ``kconform_configure_numerics(allow_fast_matmul=False)``.
    """


@op("linalg")
def kconform_einsum(subscripts: str, operands: list[Tensor]) -> Tensor:
    """Evaluate an explicit-output Einstein summation, as ``numpy.einsum``.

    ``subscripts`` always has ``->``; ``operands`` is a list of tensors of one
    float dtype. Operand shapes that disagree with the subscripts must raise.
    """


@op("nn")
def kconform_relu(x: Tensor) -> Tensor:
    """Return ``max(x, 0)`` (NaN stays NaN)."""


@op("nn")
def kconform_sigmoid(x: Tensor) -> Tensor:
    """Return ``1 / (1 + exp(-x))``, without overflow for large ``|x|``."""


@op("nn")
def kconform_softplus(x: Tensor) -> Tensor:
    """Return ``log(1 + exp(x))``, without overflow for large ``x``."""


@op("nn", approximate=False)
def kconform_gelu(x: Tensor, approximate: bool) -> Tensor:
    """Return GELU: ``x/2 * (1 + erf(x/sqrt(2)))``.

    With ``approximate=True``, the tanh form:
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3)))``.
    """


@op("nn", axis=-1)
def kconform_softmax(x: Tensor, axis: int) -> Tensor:
    """Return ``exp(x) / sum(exp(x), axis)`` along ``axis``, without overflow.

    ``-inf`` entries get probability 0.
    """


@op("nn", axis=-1)
def kconform_log_softmax(x: Tensor, axis: int) -> Tensor:
    """Return ``x - logsumexp(x, axis, keepdims=True)`` along ``axis``."""


@op("nn", dtype="float32")
def kconform_one_hot(indices: Tensor, num_classes: int, dtype: str) -> Tensor:
    """Return one-hot rows of ``dtype`` for int ``indices``.

    The shape is ``indices.shape + (num_classes,)``. An index outside
    ``[0, num_classes)`` gives a row of zeros (Keras and TensorFlow semantics).
    """


@op("nn", strides=1, padding="valid", dilation=1)
def kconform_conv1d(
    x: Tensor, kernel: Tensor, strides: int, padding: str, dilation: int
) -> Tensor:
    """1-D convolution (cross-correlation, no kernel flip), channels-last.

    ``x`` is ``(batch, width, in_channels)``, ``kernel`` is
    ``(kernel_width, in_channels, out_channels)``; the result is
    ``(batch, out_width, out_channels)``.
    """


@op("nn", strides=(1, 1), padding="valid", dilation=(1, 1))
def kconform_conv2d(
    x: Tensor,
    kernel: Tensor,
    strides: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
) -> Tensor:
    """2-D convolution (cross-correlation, no kernel flip), channels-last.

    ``x`` is ``(batch, height, width, in_channels)``, ``kernel`` is
    ``(kernel_height, kernel_width, in_channels, out_channels)``; ``strides``
    and ``dilation`` are pairs of ints. The result is
    ``(batch, out_height, out_width, out_channels)``.
    """


@op("nn", strides=None, padding="valid")
def kconform_max_pool2d(
    x: Tensor,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Tensor:
    """Max over ``pool_size`` windows of ``(batch, height, width, channels)``.

    ``strides`` defaults to ``pool_size``. With ``"same"``, padded positions
    never win.
    """


@op("nn", strides=None, padding="valid")
def kconform_avg_pool2d(
    x: Tensor,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Tensor:
    """Mean over ``pool_size`` windows of ``(batch, height, width, channels)``.

    With ``"same"``, padded positions are left out of the count (Keras and
    TensorFlow semantics, PyTorch's ``count_include_pad=False``).
    """


@op("nn", offset=None, scale=None, epsilon=1e-3)
def kconform_batch_norm(
    x: Tensor,
    mean: Tensor,
    variance: Tensor,
    offset: Tensor | None,
    scale: Tensor | None,
    epsilon: float,
) -> Tensor:
    """Return ``(x - mean) * rsqrt(variance + epsilon) * scale + offset``.

    ``mean``, ``variance``, ``offset`` and ``scale`` broadcast against ``x``
    (usually shape ``(channels,)``); ``offset=None`` means 0 and ``scale=None``
    means 1. This is the arithmetic of batch normalization, with the
    statistics given.
    """
