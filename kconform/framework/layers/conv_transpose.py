"""Transposed convolutions: Conv2DTranspose and Conv1DTranspose (Keras 3 layout).

Built from contract ops only: the input is dilated by the strides (zeros
between entries), padded by ``kernel - 1`` (full correlation), and correlated
at stride 1 with the spatially flipped kernel; ``"same"`` then keeps the
``input * stride`` entries a forward ``"same"`` convolution of that size
would have read. The kernel has Keras's shape ``(*kernel_size, filters,
in_channels)``, so weights move between Keras and kconform unchanged.
"""

from __future__ import annotations

from typing import Any

from .conv import _Conv, _tuple

__all__ = ["Conv1DTranspose", "Conv2DTranspose"]


def transposed_length(n: Any, k: int, s: int, padding: str, output_padding: Any) -> Any:
    """Output length of a transposed convolution (Keras's formula, dilation 1)."""
    if n is None:
        return None
    if output_padding is None:
        return n * s if padding == "same" else (n - 1) * s + max(k - s, 0) + s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


def _left_pad(k: int, s: int, padding: str, output_padding: Any) -> int:
    """Padding before the dilated input, as Keras's JAX backend converts it."""
    if padding == "valid":
        return k - 1
    if output_padding is None:
        pad_len = s + k - 2
    else:
        pad_len = k + k % 2 - 2 + output_padding
    return min(pad_len // 2 + pad_len % 2, k - 1)


class _ConvTranspose(_Conv):
    def __init__(self, *args: Any, output_padding: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if any(d != 1 for d in self.dilation_rate):
            raise ValueError(
                "Transposed convolutions support dilation_rate=1 only in the "
                f"reference framework. Received: dilation_rate={self.dilation_rate}"
            )
        self.output_padding = (
            None
            if output_padding is None
            else _tuple(output_padding, self.rank, "output_padding")
        )
        if self.output_padding is not None and any(
            p >= s for p, s in zip(self.output_padding, self.strides)
        ):
            raise ValueError(
                "`output_padding` must be smaller than `strides`. Received: "
                f"output_padding={self.output_padding}, strides={self.strides}"
            )

    def build(self, input_shape: Any) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}': the channel axis of the input must be known."
            )
        self.kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.built = True

    def _transpose2d(
        self, x: Any, kernel: Any, ks: tuple[int, ...], ss: tuple[int, ...], op: Any
    ) -> Any:
        """The transposed convolution of 4-d ``x`` with a 4-d Keras-layout kernel."""
        e = self._engine
        b = e.b
        batch, h, w, c = b.shape(x)
        sh, sw = ss
        kh, kw = ks
        # dilate: (b, h, 1, w, 1, c) padded to (b, h, sh, w, sw, c), then cut
        x = b.reshape(x, (batch, h, 1, w, 1, c))
        x = b.pad(x, ((0, 0), (0, 0), (0, sh - 1), (0, 0), (0, sw - 1), (0, 0)), 0.0)
        x = b.reshape(x, (batch, h * sh, w * sw, c))
        x = b.slice(x, (0, 0, 0, 0), (batch, (h - 1) * sh + 1, (w - 1) * sw + 1, c))
        targets, pads, crops = [], [], []
        for n, k, st, p in zip((h, w), ks, ss, op or (None, None)):
            target = transposed_length(n, k, st, self.padding, p)
            before = k - 1 - _left_pad(k, st, self.padding, p)
            extra = max(before + target - ((n - 1) * st + k), 0)
            targets.append(target)
            pads.append((k - 1, k - 1 + extra))
            crops.append(before)
        x = b.pad(x, ((0, 0), *pads, (0, 0)), 0.0)
        kernel = b.take(kernel, b.arange(kh - 1, -1, -1, "int32"), 0)
        kernel = b.take(kernel, b.arange(kw - 1, -1, -1, "int32"), 1)
        kernel = b.transpose(kernel, (0, 1, 3, 2))
        y = b.conv2d(x, kernel, (1, 1), "valid", (1, 1))
        return b.slice(y, (0, crops[0], crops[1], 0), (batch, *targets, self.filters))

    def compute_output_shape(self, input_shape: Any) -> Any:
        pads = self.output_padding or (None,) * self.rank
        spatial = tuple(
            transposed_length(n, k, s, self.padding, p)
            for n, k, s, p in zip(
                input_shape[1:-1], self.kernel_size, self.strides, pads
            )
        )
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self) -> dict[str, Any]:
        pads = None if self.output_padding is None else list(self.output_padding)
        return {**super().get_config(), "output_padding": pads}


class Conv2DTranspose(_ConvTranspose):
    """2-D transposed convolution ("deconvolution"): upsamples by ``strides``.

    Args:
        filters, kernel_size, strides, padding ("valid" or "same"),
        output_padding, activation, use_bias: as in Keras.
    """

    rank = 2

    def _conv(self, inputs: Any) -> Any:
        return self._transpose2d(
            inputs,
            self.kernel.value,
            self.kernel_size,
            self.strides,
            self.output_padding,
        )


class Conv1DTranspose(_ConvTranspose):
    """1-D transposed convolution over ``(batch, steps, channels)`` inputs."""

    rank = 1

    def _conv(self, inputs: Any) -> Any:
        b = self._engine.b
        op = None if self.output_padding is None else self.output_padding + (0,)
        y = self._transpose2d(
            b.expand_dims(inputs, 2),
            b.expand_dims(self.kernel.value, 1),
            self.kernel_size + (1,),
            self.strides + (1,),
            op,
        )
        return b.squeeze(y, 2)
