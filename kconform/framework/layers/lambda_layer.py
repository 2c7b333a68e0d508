"""``Lambda``: wrap a function of tensors as a layer, without code in saved files.

Keras saves a Python lambda's bytecode and refuses it on load unless
``safe_mode=False``. kconform never writes or runs code from a file: a saved
``Lambda`` records only the function's name (and its registered name, for a
function decorated with ``@keras.saving.register_keras_serializable()``), and
loading finds the function among the registered ones or ``custom_objects``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kconform.errors import KconformError

from .layer import Layer

__all__ = ["Lambda"]


class Lambda(Layer):
    """Apply ``function(inputs, **arguments)`` (written with ``keras.ops``).

    Args:
        function: A callable of the inputs.
        output_shape: The output shape (without the batch axis), or a
            function of the input shape; inferred by running the function
            when omitted.
        mask: Either None, a mask, or a function ``mask(inputs, mask)``.
        arguments: Extra keyword arguments for ``function``.
    """

    def __init__(
        self,
        function: Callable[..., Any],
        output_shape: Any = None,
        mask: Any = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(
                f"`function` of a Lambda layer must be callable. Received: {function!r}"
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self._mask = mask
        self.supports_masking = mask is not None

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None) -> Any:
        return self.function(inputs, **self.arguments)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if callable(self._mask):
            return self._mask(inputs, mask)
        return self._mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        return (input_shape[0], *tuple(self._output_shape))

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        from ..saving.registry import registered_name

        name = getattr(self.function, "__name__", "<lambda>")
        if not isinstance(self._output_shape, (type(None), tuple, list)):
            raise KconformError(
                f"Lambda layer '{self.name}': an `output_shape` function cannot be "
                "saved (files hold no code); pass the shape as a tuple."
            )
        return {
            **super().get_config(),
            "function": {
                "class_name": "function",
                "name": name,
                "registered_name": registered_name(self.function),
            },
            "output_shape": (
                list(self._output_shape) if self._output_shape is not None else None
            ),
            "arguments": self.arguments,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Lambda:
        from ..saving.registry import get_custom_objects

        config = dict(config)
        entry = config.pop("function", None)
        if not isinstance(entry, dict):
            raise KconformError(
                f"Lambda layer '{config.get('name', '?')}': the saved config holds "
                "code or no function reference; kconform never loads code from a "
                "file. Rebuild the layer, or pass the function in `custom_objects`."
            )
        custom = dict(custom_objects or {})
        registered = get_custom_objects()
        name, key = entry.get("name"), entry.get("registered_name")
        layer_name = config.get("name")
        fn = next(
            (
                found
                for found in (
                    custom.get(key) if key else None,
                    custom.get(name) if name else None,
                    custom.get(layer_name) if layer_name else None,
                    registered.get(key) if key else None,
                )
                if found is not None
            ),
            None,
        )
        if fn is None:
            key_hint = name if name != "<lambda>" else layer_name
            raise KconformError(
                f"Lambda layer '{layer_name}' wraps the function {name!r}, which a "
                "saved file does not hold (kconform never loads code). Decorate it "
                "with `@keras.saving.register_keras_serializable()` before loading, "
                f"or pass `custom_objects={{{key_hint!r}: function}}` to "
                "`load_model`."
            )
        shape = config.pop("output_shape", None)
        return cls(fn, output_shape=shape, **config)
