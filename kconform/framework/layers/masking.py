"""``Masking``: mark time steps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

from typing import Any

from .._engine import current_engine
from .layer import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Skip time steps where every feature equals ``mask_value`` (Keras 3).

    The output is the input with those steps zeroed; its mask (``any(x !=
    mask_value, axis=-1)``) reaches the masking-aware layers downstream.
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def _keep(self, inputs: Any, keepdims: bool) -> Any:
        e = self._engine or current_engine()
        inputs = e.tensor(inputs)
        b = e.b
        differs = b.not_equal(inputs, e.const(self.mask_value, b.dtype(inputs)))
        return b.any(differs, -1, keepdims)

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        keep = self._keep(inputs, True)
        return b.multiply(inputs, b.cast(keep, b.dtype(inputs)))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return self._keep(inputs, False)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
