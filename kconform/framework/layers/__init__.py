"""``keras.layers``: the layers of the reference framework."""

from __future__ import annotations

from ._graph import KerasTensor
from ._spec import InputSpec
from .conv import (
    AveragePooling2D,
    Conv1D,
    Conv2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
)
from .core import Activation, Dense, Dropout, Embedding, Flatten, Reshape
from .input_layer import Input, InputLayer
from .layer import Layer
from .merging import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract
from .normalization import BatchNormalization, LayerNormalization
from .recurrent import LSTM

MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D

__all__ = [
    "LSTM",
    "Activation",
    "Add",
    "Average",
    "AveragePooling2D",
    "AvgPool2D",
    "BatchNormalization",
    "Concatenate",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "InputSpec",
    "KerasTensor",
    "Layer",
    "LayerNormalization",
    "MaxPool2D",
    "MaxPooling2D",
    "Maximum",
    "Minimum",
    "Multiply",
    "Reshape",
    "Subtract",
]

#: Built-in layer classes by name: what a saved config may name (no imports on load).
BUILTIN = {
    name: globals()[name]
    for name in __all__
    if isinstance(globals()[name], type) and issubclass(globals()[name], Layer)
}
