"""Scenarios of other architectures: two inputs and outputs, a CNN, an LSTM model."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._scenario import Scenario, learnable_data
from ._standard import standard_stages

__all__ = ["CNN", "TEXT", "TWO_IO"]


def _keras() -> Any:
    import kconform.framework as keras

    return keras


# -- two inputs, two outputs -----------------------------------------------------------
def _two_io(backend: Any) -> Any:
    keras = _keras()
    layers = keras.layers
    image, meta = keras.Input((64,), name="image"), keras.Input((5,), name="meta")
    h = layers.Concatenate()(
        [
            layers.Dense(16, activation="relu")(image),
            layers.Dense(4, activation="tanh")(meta),
        ]
    )
    digit = layers.Dense(4, name="digit")(h)
    score = layers.Dense(1, name="score")(
        layers.Add()([layers.Dense(8)(h), layers.Dense(8)(h)])
    )
    return keras.Model(
        [image, meta], {"digit": digit, "score": score}, name="two_io", backend=backend
    )


def _two_io_compile(model: Any) -> None:
    keras = _keras()
    model.compile(
        optimizer=keras.optimizers.Adam(0.01, amsgrad=True),
        loss={
            "digit": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            "score": "huber",
        },
        loss_weights={"digit": 1.0, "score": 0.5},
        metrics={"digit": ["accuracy"], "score": ["mae"]},
    )


def _two_io_data() -> dict[str, Any]:
    x, y = learnable_data(200, (64,), 4, seed=2)
    meta = np.random.default_rng(3).random((200, 5), dtype=np.float32)
    score = (
        x[:, :5].sum(axis=1, keepdims=True) - meta.sum(axis=1, keepdims=True)
    ).astype("float32")
    return {
        "x": {"image": x[:160], "meta": meta[:160]},
        "y": {"digit": y[:160], "score": score[:160]},
        "x_test": [x[160:], meta[160:]],
        "y_test": [y[160:], score[160:]],
    }


TWO_IO = Scenario(
    "two_io",
    standard_stages(
        "two_io",
        _two_io,
        _two_io_compile,
        _two_io_data,
        {"batch_size": 32, "epochs": 3},
        ["loss", "digit_loss", "score_loss", "digit_accuracy", "score_mae"],
        min_improvement=0.01,
        accuracy_key="digit_accuracy",
        file_ext="h5",
    ),
    "Functional model with two named inputs and two outputs (dict losses, loss "
    "weights), saved as .h5.",
)


# -- a small CNN with BatchNormalization and Dropout -----------------------------------
def _cnn(backend: Any) -> Any:
    keras = _keras()
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            layers.Conv2D(6, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Conv2D(8, 3, activation="relu"),
            layers.AveragePooling2D(pool_size=2, padding="same"),
            layers.Dropout(0.25),
            layers.GlobalAveragePooling2D(),
            layers.Dense(10),
        ],
        name="cnn",
        backend=backend,
    )


def _cnn_compile(model: Any) -> None:
    keras = _keras()
    model.compile(
        optimizer=keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def _cnn_data() -> dict[str, Any]:
    x, y = learnable_data(160, (12, 12, 1), 10, seed=4)
    return {"x": x[:128], "y": y[:128], "x_test": x[128:], "y_test": y[128:]}


CNN = Scenario(
    "cnn",
    standard_stages(
        "cnn",
        _cnn,
        _cnn_compile,
        _cnn_data,
        {"batch_size": 32, "epochs": 3},
        ["loss", "accuracy"],
        min_improvement=0.0,
    ),
    "Conv2D, BatchNormalization (moving statistics), pooling and Dropout (host-drawn "
    "masks).",
)


# -- Embedding + LSTM text classifier --------------------------------------------------
def _text(backend: Any) -> Any:
    keras = _keras()
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((12,), dtype="int32"),
            layers.Embedding(40, 8),
            layers.LSTM(12, dropout=0.1),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="text",
        backend=backend,
    )


def _text_compile(model: Any) -> None:
    keras = _keras()
    model.compile(
        optimizer=keras.optimizers.RMSprop(0.01, centered=True),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )


def _text_data() -> dict[str, Any]:
    rng = np.random.default_rng(5)
    tokens = rng.integers(1, 40, (160, 12)).astype("int32")
    label = (np.isin(tokens, np.arange(1, 10)).sum(axis=1) >= 3).astype("float32")[
        :, None
    ]
    return {
        "x": tokens[:128],
        "y": label[:128],
        "x_test": tokens[128:],
        "y_test": label[128:],
    }


TEXT = Scenario(
    "text_lstm",
    standard_stages(
        "text_lstm",
        _text,
        _text_compile,
        _text_data,
        {"batch_size": 32, "epochs": 3},
        ["loss", "accuracy"],
        min_improvement=0.0,
    ),
    "Embedding + LSTM (with input dropout) binary classifier.",
)
