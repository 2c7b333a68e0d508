"""Scenarios of the wider Keras surface, so that every backend runs it too.

``transformer``: a masked Transformer block (Embedding with ``mask_zero``,
MultiHeadAttention, LayerNormalization) feeding a bidirectional GRU that skips
the padding. ``autoencoder``: a Normalization layer adapted to the training
images, a strided convolution and a transposed convolution back to the image.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._scenario import Scenario
from ._standard import standard_stages

__all__ = ["AUTOENCODER", "TRANSFORMER"]


def _keras() -> Any:
    import kconform.framework as keras

    return keras


# -- masked Transformer block + bidirectional GRU --------------------------------------
def _transformer(backend: Any) -> Any:
    keras = _keras()
    layers = keras.layers
    tokens = keras.Input((10,), dtype="int32", name="tokens")
    x = layers.Embedding(30, 8, mask_zero=True)(tokens)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    x = layers.LayerNormalization()(layers.add([x, attended]))
    x = layers.Bidirectional(layers.GRU(6))(x)
    out = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(tokens, out, name="transformer", backend=backend)


def _transformer_compile(model: Any) -> None:
    keras = _keras()
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )


def _transformer_data() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    tokens = rng.integers(1, 30, (160, 10)).astype("int32")
    lengths = rng.integers(3, 11, 160)
    tokens[np.arange(10)[None, :] >= lengths[:, None]] = 0  # padding at the end
    label = (((tokens > 0) & (tokens < 10)).sum(axis=1) >= 2).astype("float32")
    return {
        "x": tokens[:128],
        "y": label[:128, None],
        "x_test": tokens[128:],
        "y_test": label[128:, None],
    }


TRANSFORMER = Scenario(
    "transformer",
    standard_stages(
        "transformer",
        _transformer,
        _transformer_compile,
        _transformer_data,
        {"batch_size": 32, "epochs": 3},
        ["loss", "accuracy"],
        min_improvement=0.0,
    ),
    "Embedding(mask_zero) + MultiHeadAttention + LayerNormalization + "
    "Bidirectional(GRU) over padded token sequences (masks end to end).",
)


# -- adapted Normalization + convolutional autoencoder --------------------------
def _images() -> np.ndarray:
    rng = np.random.default_rng(8)
    base = rng.random((160, 4, 4, 1), dtype=np.float32)
    return (np.kron(base, np.ones((1, 2, 2, 1), np.float32)) * 5 + 2).astype("float32")


def _autoencoder(backend: Any) -> Any:
    keras = _keras()
    layers = keras.layers
    norm = layers.Normalization()
    norm.adapt(_images()[:128])  # on the host, before any backend sees it
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            norm,
            layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2DTranspose(1, 3, strides=2, padding="same"),
        ],
        name="autoencoder",
        backend=backend,
    )


def _autoencoder_compile(model: Any) -> None:
    keras = _keras()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])


def _autoencoder_data() -> dict[str, Any]:
    x = _images()
    centred = (x - 4.5) / 1.5  # the target: the image on a unit scale
    return {
        "x": x[:128],
        "y": centred[:128],
        "x_test": x[128:],
        "y_test": centred[128:],
    }


AUTOENCODER = Scenario(
    "autoencoder",
    standard_stages(
        "autoencoder",
        _autoencoder,
        _autoencoder_compile,
        _autoencoder_data,
        {"batch_size": 32, "epochs": 3},
        ["loss", "mae"],
        min_improvement=0.01,
        accuracy_key=None,
    ),
    "Normalization adapted to the images, a strided Conv2D and a Conv2DTranspose "
    "reconstructing the image (mse).",
)
