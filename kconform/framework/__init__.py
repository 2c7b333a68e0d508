"""kconform's reference framework: the Keras model life-cycle on any kconform backend.

Use it as Keras::

    import kconform.framework as keras
    from kconform.framework import layers

    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10)])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=2)

Every tensor goes through a :class:`kconform.Backend`. A model binds to a
backend when it is created (``backend=`` argument, ``keras.config.use_backend``
context, ``keras.config.set_backend``, ``KCONFORM_BACKEND``, else ``"numpy"``, or
the only installed backend where NumPy's is not installed).
"""

from __future__ import annotations

from . import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from ._config import use_backend
from .layers import Input, Layer
from .models import Model, Sequential, load_model
from .saving import register_keras_serializable
from .trainer import NonFiniteLossError
from .variables import Variable

__all__ = [
    "Input",
    "Layer",
    "Model",
    "NonFiniteLossError",
    "Sequential",
    "Variable",
    "activations",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "random",
    "register_keras_serializable",
    "regularizers",
    "saving",
    "use_backend",
    "utils",
]
