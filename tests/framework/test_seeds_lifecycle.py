"""Every seed snippet runs, with only its imports changed, on every backend.

Snippets are kept verbatim (Keras imports, the article's own variable names);
:func:`port` rewrites ``keras``/``keras_core``/``tensorflow.keras`` imports to
``kconform.framework``. The backend is chosen as the seeds choose it: through
an environment variable. Data is MNIST-shaped and small, except where a
snippet itself fixes the size (the MNIST loader's ``reshape(60000, 784)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fw_data import mnist_like, write_mnist
from fw_seeds import run

# -- seeds 000/001: "Keras model life-cycle" -------------------------------------------
SEQUENTIAL_ADD = """
import keras_core as keras
from keras_core import layers

def create_model():
  model = keras.Sequential()
  model.add(layers.Dense(64, activation="relu"))
  return model

model = create_model()
"""

SEQUENTIAL_INPUT = """
import keras_core as keras
from keras_core import layers

def create_model():
  model = keras.Sequential()
  model.add(keras.Input(shape=(784,)))
  model.add(layers.Dense(64, activation="relu"))
  model.add(layers.Dense(10))
  return model

model = create_model()
"""

FUNCTIONAL = """
import keras_core as keras
from keras_core import layers

def create_model():
  inputs = keras.Input(shape=(784,))
  x = layers.Dense(64, activation="relu")(inputs)
  outputs = layers.Dense(10)(x)

  return keras.Model(inputs=inputs, outputs=outputs, name="my_model")

model = create_model()
"""

ENV_BACKEND = """
import os

os.environ["KERAS_BACKEND"] = "{name}" # or tensorflow or torch
"""

COMPILE = """
model.compile(
  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
  optimizer=keras.optimizers.RMSprop(),
  metrics=["accuracy"],
)
"""

MNIST = """
import keras_core as keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

x_train = x_train.reshape(60000, 784).astype("float32") / 255
x_test = x_test.reshape(10000, 784).astype("float32") / 255
"""

FIT = """
history = model.fit(
  x_train, y_train, batch_size=64, epochs=2, validation_split=0.2
)
"""

EVALUATE = """
test_scores = model.evaluate(x_test, y_test, verbose=2)
print(”Loss:", test_scores[0])
print(”Accuracy:", test_scores[1])
"""

PREDICT = """
test_scores = model.predict(x_test)
"""


def mlp_data(ns: dict[str, Any]) -> dict[str, Any]:
    ns["x_train"], ns["y_train"] = mnist_like(200, seed=1)
    ns["x_test"], ns["y_test"] = mnist_like(50, seed=2)
    return ns


def test_seed_sequential_add(use: Any) -> None:
    ns = run(SEQUENTIAL_ADD)
    model = ns["model"]
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    assert not model.built
    model.build((None, 784))
    assert model.backend.name == use.name
    assert [w.shape for w in model.weights] == [(784, 64), (64,)]


def test_seed_sequential_input(use: Any) -> None:
    model = run(SEQUENTIAL_INPUT)["model"]
    assert model.backend.name == use.name
    assert model.count_params() == 784 * 64 + 64 + 64 * 10 + 10


def test_seed_functional(use: Any) -> None:
    model = run(FUNCTIONAL)["model"]
    assert model.name == "my_model"
    assert model.backend.name == use.name
    assert model.outputs[0].shape == (None, 10)


def test_seed_backend_from_environment(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    run(ENV_BACKEND.replace("{name}", backend.name))
    model = run(FUNCTIONAL)["model"]
    assert model.backend.name == backend.name


def test_seed_compile(use: Any) -> None:
    ns = run(FUNCTIONAL)
    run(COMPILE, ns)
    assert ns["model"].compiled
    assert type(ns["model"].optimizer).__name__ == "RMSprop"


def test_seed_mnist_load_data(
    use: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_mnist(tmp_path / "mnist.npz")
    monkeypatch.setenv("KCONFORM_DATA_DIR", str(tmp_path))
    ns = run(MNIST)
    assert ns["x_train"].shape == (60000, 784) and ns["x_train"].dtype == np.float32
    assert ns["x_test"].shape == (10000, 784)
    assert 0.0 <= ns["x_train"].min() and ns["x_train"].max() <= 1.0


def test_seed_fit(use: Any) -> None:
    ns = mlp_data(run(FUNCTIONAL))
    run(COMPILE, ns)
    run(FIT, ns)
    history = ns["history"].history
    assert sorted(history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 2 for v in history.values())
    assert np.isfinite(history["loss"]).all()


def test_seed_evaluate(use: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ns = mlp_data(run(FUNCTIONAL))
    run(COMPILE, ns)
    run(EVALUATE, ns)
    out = capsys.readouterr().out
    assert "Loss:" in out and "Accuracy:" in out
    assert len(ns["test_scores"]) == 2 and 0.0 <= ns["test_scores"][1] <= 1.0


def test_seed_predict(use: Any) -> None:
    ns = mlp_data(run(FUNCTIONAL))
    run(COMPILE, ns)
    run(PREDICT, ns)
    assert ns["test_scores"].shape == (50, 10)
    assert ns["test_scores"].dtype == np.float32
