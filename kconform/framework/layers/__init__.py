"""``keras.layers``: the layers of the reference framework."""

from __future__ import annotations

from . import (
    activation_layers,
    attention,
    conv,
    conv_depthwise,
    conv_transpose,
    core,
    lambda_layer,
    masking,
    merging,
    normalization,
    pooling,
    preprocessing,
    recurrent,
    regularization,
    reshaping,
    rnn_cells,
    wrappers,
)
from ._graph import KerasTensor as KerasTensor
from ._spec import InputSpec as InputSpec
from .activation_layers import *  # noqa: F403
from .attention import *  # noqa: F403
from .conv import *  # noqa: F403
from .conv_depthwise import *  # noqa: F403
from .conv_transpose import *  # noqa: F403
from .core import *  # noqa: F403
from .input_layer import Input as Input
from .input_layer import InputLayer as InputLayer
from .lambda_layer import *  # noqa: F403
from .layer import Layer
from .masking import *  # noqa: F403
from .merging import *  # noqa: F403
from .normalization import *  # noqa: F403
from .op_layer import OpLayer
from .pooling import *  # noqa: F403
from .preprocessing import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .regularization import *  # noqa: F403
from .reshaping import *  # noqa: F403
from .rnn_cells import *  # noqa: F403
from .wrappers import *  # noqa: F403

_MODULES = (
    activation_layers,
    attention,
    conv,
    conv_depthwise,
    conv_transpose,
    core,
    lambda_layer,
    masking,
    merging,
    normalization,
    pooling,
    preprocessing,
    recurrent,
    regularization,
    reshaping,
    rnn_cells,
    wrappers,
)
MaxPool1D, AvgPool1D = MaxPooling1D, AveragePooling1D  # noqa: F405
MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D  # noqa: F405
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D  # noqa: F405
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D  # noqa: F405
Convolution1D, Convolution2D = Conv1D, Conv2D  # noqa: F405
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose  # noqa: F405
SeparableConvolution2D = SeparableConv2D  # noqa: F405

__all__ = sorted(
    {name for module in _MODULES for name in module.__all__}
    | {
        "AvgPool1D",
        "Convolution1D",
        "Convolution1DTranspose",
        "Convolution2D",
        "Convolution2DTranspose",
        "SeparableConvolution2D",
        "AvgPool2D",
        "GlobalAvgPool1D",
        "GlobalAvgPool2D",
        "GlobalMaxPool1D",
        "GlobalMaxPool2D",
        "Input",
        "InputLayer",
        "InputSpec",
        "KerasTensor",
        "Layer",
        "MaxPool1D",
        "MaxPool2D",
    }
)

#: Built-in layer classes by name: what a saved config may name (no imports on load).
BUILTIN = {
    name: globals()[name]
    for name in __all__
    if isinstance(globals()[name], type) and issubclass(globals()[name], Layer)
}
BUILTIN["OpLayer"] = OpLayer  # ops on symbolic tensors (not a Keras class)


def serialize(layer: Layer) -> dict:
    """``keras.layers.serialize``: a layer's ``{"class_name", "config"}``."""
    from ..saving.serialization import serialize_layer

    return serialize_layer(layer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Layer:
    """``keras.layers.deserialize``: a layer from :func:`serialize`'s output."""
    from ..saving.serialization import deserialize_layer

    return deserialize_layer(config, custom_objects)
