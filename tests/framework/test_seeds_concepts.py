"""The snippets of seeds 002 and 003 (key concepts, History), on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fw_seeds import run

# -- seed 002: "Keras: key concepts and code snippets" ---------------------------------
SEQUENTIAL_LIST = """
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([
Dense(64, activation='relu', input_shape=(100,)),
Dense(10, activation='softmax')
])
"""

FUNCTIONAL_2 = """
from keras.models import Model
from keras.layers import Input, Dense
inputs = Input(shape=(100,))
x = Dense(64, activation='relu')(inputs)
outputs = Dense(10, activation='softmax')(x)
model = Model(inputs, outputs)
"""

COMPILE_2 = """
model.compile(optimizer='adam',
loss='categorical_crossentropy',
metrics=['accuracy'])
"""

FIT_2 = """
model.fit(x_train, y_train,
batch_size=32,
epochs=10,
validation_split=0.2)
"""

EVALUATE_2 = """
loss, accuracy = model.evaluate(x_test, y_test)
"""

PREDICT_2 = """
predictions = model.predict(x_new)
"""

EARLY_STOPPING = """
from keras.callbacks import EarlyStopping
callback = EarlyStopping(monitor='val_loss', patience=3)
model.fit(x_train, y_train, callbacks=[callback])
"""

SAVE_LOAD = """
model.save('model.h5')
loaded_model = keras.models.load_model('model.h5')
"""

CUSTOM_LAYER = """
from keras.models import Model
from keras.layers import Layer
class CustomLayer(Layer):
    def call(self, inputs):
        return inputs * 2
"""

BASIC_MODEL = """
from keras.models import Sequential
from keras.layers import Dense
model = Sequential()
model.add(Dense(128, activation='relu', input_dim=100))
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.2)
"""

SAVE_LOAD_2 = """
model.save('my_model.h5')
from keras.models import load_model
model = load_model('my_model.h5')
"""

CHECKPOINT = """
from keras.callbacks import ModelCheckpoint
checkpoint = ModelCheckpoint('best_model.h5', save_best_only=True)
model.fit(x_train, y_train, epochs=20, callbacks=[checkpoint])
"""

TF_KERAS_IMPORTS = """
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense
"""


def categorical_data(ns: dict[str, Any], n: int = 80) -> dict[str, Any]:
    rng = np.random.default_rng(3)
    ns["x_train"] = rng.random((n, 100), dtype=np.float32)
    ns["y_train"] = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    ns["x_test"] = rng.random((20, 100), dtype=np.float32)
    ns["y_test"] = np.eye(10, dtype="float32")[rng.integers(0, 10, 20)]
    ns["x_new"] = rng.random((5, 100), dtype=np.float32)
    return ns


def binary_data(ns: dict[str, Any], n: int = 60) -> dict[str, Any]:
    rng = np.random.default_rng(4)
    ns["x_train"] = rng.random((n, 100), dtype=np.float32)
    # One label per sample, shape (n,), as the seeds' Pima example slices its
    # CSV (Y = dataset[:, 8]); Keras aligns it with the (n, 1) predictions.
    ns["y_train"] = (ns["x_train"][:, 0] > 0.5).astype("float32")
    return ns


def test_seed_sequential_list(use: Any) -> None:
    model = run(SEQUENTIAL_LIST)["model"]
    assert model.backend.name == use.name
    assert model.inputs[0].shape == (None, 100) and model.outputs[0].shape == (None, 10)


def test_seed_functional_2(use: Any) -> None:
    model = run(FUNCTIONAL_2)["model"]
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer",
        "Dense",
        "Dense",
    ]


def test_seed_compile_fit_evaluate_predict(use: Any) -> None:
    ns = categorical_data(run(FUNCTIONAL_2))
    run(COMPILE_2, ns)
    run(FIT_2, ns)
    history = ns["model"].history.history
    assert len(history["loss"]) == 10 and "val_accuracy" in history
    run(EVALUATE_2, ns)
    assert np.isfinite(ns["loss"]) and 0.0 <= ns["accuracy"] <= 1.0
    run(PREDICT_2, ns)
    np.testing.assert_allclose(ns["predictions"].sum(axis=1), 1.0, rtol=1e-5)


def test_seed_early_stopping(use: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ns = categorical_data(run(SEQUENTIAL_LIST))
    run(COMPILE_2, ns)
    run(EARLY_STOPPING, ns)
    assert (
        "val_loss" in capsys.readouterr().out
    )  # not available without validation data
    assert len(ns["model"].history.history["loss"]) == 1


def test_seed_save_load_h5(
    use: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ns = categorical_data(run("import keras\n" + SEQUENTIAL_LIST))
    run(COMPILE_2, ns)
    run(SAVE_LOAD, ns)
    np.testing.assert_allclose(
        ns["loaded_model"].predict(ns["x_new"]),
        ns["model"].predict(ns["x_new"]),
        rtol=1e-6,
    )
    assert ns["loaded_model"].compiled


def test_seed_custom_layer(use: Any) -> None:
    ns = run(CUSTOM_LAYER)
    ns.update(
        run(
            FUNCTIONAL_2.replace(
                "outputs = Dense", "x = CustomLayer()(x)\noutputs = Dense"
            ),
            ns,
        )
    )
    layer = ns["CustomLayer"]()
    np.testing.assert_array_equal(
        np.asarray(layer(np.ones((2, 3), "float32"))), 2 * np.ones((2, 3))
    )
    assert ns["model"].outputs[0].shape == (None, 10)


def test_seed_basic_model(use: Any) -> None:
    ns = binary_data({})
    run(BASIC_MODEL, ns)
    history = ns["model"].history.history
    assert len(history["loss"]) == 10
    assert history["loss"][-1] < history["loss"][0]


def test_seed_save_load_2(
    use: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ns = binary_data({})
    run(BASIC_MODEL.replace("epochs=10", "epochs=1"), ns)
    before = ns["model"].predict(ns["x_train"])
    run(SAVE_LOAD_2, ns)
    np.testing.assert_allclose(ns["model"].predict(ns["x_train"]), before, rtol=1e-6)


def test_seed_checkpoint(
    use: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ns = binary_data({})
    run(BASIC_MODEL.replace("epochs=10", "epochs=1"), ns)
    run(CHECKPOINT.replace("epochs=20", "epochs=3"), ns)
    # No validation data: Keras warns and skips saving, and so do we.
    assert not (tmp_path / "best_model.h5").exists()
    ns["model"].fit(
        ns["x_train"],
        ns["y_train"],
        epochs=2,
        validation_split=0.25,
        callbacks=[ns["checkpoint"]],
        verbose=0,
    )
    assert (tmp_path / "best_model.h5").exists()


def test_seed_tf_keras_imports(use: Any) -> None:
    ns = run(TF_KERAS_IMPORTS)
    assert ns["Sequential"].__module__.startswith("kconform.framework")


# -- seed 003: History -----------------------------------------------------------------
HISTORY = """
history = model.fit(X, Y, epochs=250, batch_size=1, verbose=1, validation_split=0.2)
print(history)
"""


def test_seed_history(use: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(5)
    ns: dict[str, Any] = {"X": rng.random((5, 8), dtype=np.float32)}
    ns["Y"] = (ns["X"].sum(axis=1, keepdims=True) > 4).astype("float32")
    run(
        """
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([Dense(4, input_dim=8, activation='relu'),
                    Dense(1, activation='sigmoid')])
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""",
        ns,
    )
    run(HISTORY, ns)
    out = capsys.readouterr().out
    assert "Epoch 250/250" in out and "History" in out
    history = ns["history"].history
    assert sorted(history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(history["val_loss"]) == 250
