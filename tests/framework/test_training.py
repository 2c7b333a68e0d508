"""compile, fit, evaluate, predict: behaviour, inputs, and the errors users meet."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fw_data import mnist_like

import kconform.framework as keras
from kconform.framework import layers


def mlp(backend: Any, **compile_kw: Any) -> Any:
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(16, activation="relu"),
            layers.Dense(10),
        ],
        backend=backend,
    )
    kw = {
        "optimizer": "rmsprop",
        "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        "metrics": ["accuracy"],
        **compile_kw,
    }
    model.compile(**kw)
    return model


def test_history_evaluate_predict(backend: Any) -> None:
    x, y = mnist_like(150)
    model = mlp(backend)
    history = model.fit(
        x, y, batch_size=32, epochs=3, validation_data=(x[:40], y[:40]), verbose=0
    )
    assert history is model.history
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    scores = model.evaluate(x, y, verbose=0)
    assert isinstance(scores, list) and len(scores) == 2
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "accuracy"] and logs["loss"] == pytest.approx(
        scores[0]
    )
    pred = model.predict(x, batch_size=64, verbose=0)  # 150 = 2 full batches + 22
    assert pred.shape == (150, 10) and pred.dtype == np.float32
    np.testing.assert_allclose(
        pred[:5], model.predict(x[:5], verbose=0), rtol=1e-5, atol=1e-6
    )
    loss_only = keras.Sequential(
        [keras.Input((784,)), layers.Dense(10)], backend=backend
    )
    loss_only.compile("sgd", "sparse_categorical_crossentropy")
    assert isinstance(loss_only.evaluate(x, y, verbose=0), float)


def test_jit_and_eager_agree(backend: Any) -> None:
    if not backend.jit:
        pytest.skip(f"backend {backend.name!r} has no jit")
    x, y = mnist_like(96)
    results = []
    for jit in (True, False):
        keras.utils.set_random_seed(3)
        model = mlp(backend, jit_compile=jit)
        results.append(
            model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=True).history[
                "loss"
            ]
        )
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


def test_jit_compile_true_without_jit_is_an_error(backend: Any) -> None:
    if backend.jit:
        pytest.skip("backend has jit")
    model = mlp(backend, jit_compile=True)
    with pytest.raises(ValueError, match="does not implement `jit`"):
        model.fit(*mnist_like(8), verbose=0)


def test_inputs_generators_datasets_and_tensors(backend: Any) -> None:
    x, y = mnist_like(64)
    model = mlp(backend)

    def gen() -> Any:
        while True:
            for i in range(0, 64, 16):
                yield x[i : i + 16], y[i : i + 16]

    h = model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2

    class Batches(keras.utils.PyDataset):
        def __len__(self) -> int:
            return 4

        def __getitem__(self, i: int) -> Any:
            return x[i * 16 : (i + 1) * 16], y[i * 16 : (i + 1) * 16]

    model.fit(Batches(), epochs=1, verbose=0)
    assert model.evaluate(Batches(), verbose=0)[0] > 0
    assert model.predict(Batches(), verbose=0).shape == (64, 10)
    b = model.backend
    tensors = b.from_numpy(x), b.from_numpy(y.astype("int32"))
    model.fit(*tensors, epochs=1, verbose=0)
    assert model.predict(tensors[0], verbose=0).shape == (64, 10)
    assert model.predict([list(map(float, x[0]))], verbose=0).shape == (1, 10)


def test_multi_input_multi_output(backend: Any) -> None:
    a, c = keras.Input((6,), name="a"), keras.Input((3,), name="c")
    h = layers.Concatenate()([layers.Dense(4, activation="relu")(a), c])
    cls = layers.Dense(3, name="cls")(h)
    reg = layers.Dense(1, name="reg")(
        layers.Add()([layers.Dense(4)(h), layers.Dense(4)(h)])
    )
    model = keras.Model([a, c], [cls, reg], name="two_heads", backend=backend)
    model.compile(
        "adam",
        loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
        loss_weights={"cls": 1.0, "reg": 0.5},
        metrics={"cls": "accuracy", "reg": ["mae"]},
    )
    rng = np.random.default_rng(0)
    xa, xc = (
        rng.random((40, 6), dtype=np.float32),
        rng.random((40, 3), dtype=np.float32),
    )
    yc, yr = rng.integers(0, 3, 40), rng.random((40, 1), dtype=np.float32)
    h = model.fit(
        {"a": xa, "c": xc}, {"cls": yc, "reg": yr}, epochs=2, batch_size=16, verbose=0
    )
    assert sorted(h.history) == [
        "cls_accuracy",
        "cls_loss",
        "loss",
        "reg_loss",
        "reg_mae",
    ]
    total = h.history["cls_loss"][-1] + 0.5 * h.history["reg_loss"][-1]
    assert h.history["loss"][-1] == pytest.approx(total, rel=1e-4)
    out = model.predict([xa, xc], verbose=0)
    assert [o.shape for o in out] == [(40, 3), (40, 1)]
    assert len(model.evaluate([xa, xc], [yc, yr], verbose=0)) == 5


def test_sample_and_class_weights(backend: Any) -> None:
    x, y = mnist_like(32)
    model = mlp(backend)
    plain = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    zero_half = np.r_[np.ones(16), np.zeros(16)].astype("float32")
    weighted = model.evaluate(
        x, y, sample_weight=zero_half, verbose=0, batch_size=32, return_dict=True
    )["loss"]
    first_half = model.evaluate(x[:16], y[:16], verbose=0, return_dict=True)["loss"]
    assert weighted == pytest.approx(
        first_half / 2, rel=1e-5
    )  # Keras divides by the batch size
    assert weighted != pytest.approx(plain)
    model.fit(x, y, class_weight={i: 1.0 for i in range(10)}, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(x, y, class_weight={0: 1.0}, epochs=1, verbose=0)


def test_progress_output(backend: Any, capsys: pytest.CaptureFixture[str]) -> None:
    x, y = mnist_like(64)
    model = mlp(backend)
    model.fit(x, y, batch_size=16, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "4/4" in out and "loss: " in out and "accuracy: " in out and "/step" in out
    model.fit(x, y, batch_size=16, epochs=2, verbose=2, validation_split=0.25)
    lines = [
        line for line in capsys.readouterr().out.splitlines() if "val_loss" in line
    ]
    assert len(lines) == 2 and lines[0].startswith("3/3 - ")
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_user_errors_are_clear(backend: Any) -> None:
    x, y = mnist_like(20)
    model = keras.Sequential([keras.Input((784,)), layers.Dense(10)], backend=backend)
    with pytest.raises(
        ValueError, match=r"You must call `compile\(\)` before using the model"
    ):
        model.fit(x, y, verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(
        ValueError,
        match="(?s)Data cardinality is ambiguous.*'x' sizes: 20.*'y' sizes: 19",
    ):
        model.fit(x, y[:19], verbose=0)
    with pytest.raises(
        ValueError,
        match="expected axis -1 of input shape to have value 784, but received input "
        "with shape",
    ):
        model.fit(x[:, :100], y, verbose=0)
    with pytest.raises(
        ValueError,
        match="label value of 12 which is outside the valid range of \\[0, 9\\]",
    ):
        model.fit(x, np.full(20, 12), verbose=0)
    with pytest.raises(
        ValueError, match="Could not interpret optimizer identifier: 'adamm'"
    ):
        model.compile("adamm", "mse")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 'mse2'"):
        model.compile("adam", "mse2")
    with pytest.raises(
        ValueError, match="Could not interpret metric identifier: 'acuracy'"
    ):
        model.compile("adam", "mse", metrics=["acuracy"])
        model.fit(x, np.zeros((20, 10)), verbose=0)
    with pytest.raises(
        ValueError,
        match="Received an invalid value for `units`, expected a positive integer. "
        "Received: units=0",
    ):
        layers.Dense(0)
    with pytest.raises(
        TypeError, match="Unrecognized keyword arguments passed to Dense: {'unit': 3}"
    ):
        layers.Dense(3, unit=3)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(x, y, batch_size=0, verbose=0)


def test_nan_loss_is_a_clear_error(backend: Any) -> None:
    x, y = mnist_like(32)
    x[3, 5] = np.nan
    # NOTE: linear on purpose: TensorFlow's fused MatMul+ReLU graph maps NaN to 0.
    model = keras.Sequential([keras.Input((784,)), layers.Dense(10)], backend=backend)
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(
        keras.NonFiniteLossError, match="(?s)training loss became nan.*`x` contains NaN"
    ):
        model.fit(x, y, epochs=1, verbose=0)


@pytest.mark.needs_backend("numpy")
def test_backends_live_side_by_side(backend: Any) -> None:
    """A model on the backend under test and one on numpy never mix tensors."""
    x, y = mnist_like(64)
    keras.utils.set_random_seed(9)
    ours = mlp(backend)
    keras.utils.set_random_seed(9)
    with keras.config.use_backend("numpy"):
        other = mlp(None)
    assert other.backend.name == "numpy" and ours.backend.name == backend.name
    for w_a, w_b in zip(ours.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(
            w_a, w_b
        )  # same seed: same host-drawn initial weights
    keras.config.set_backend("numpy")
    h1 = ours.fit(x, y, epochs=1, verbose=0, shuffle=False).history["loss"]
    h2 = other.fit(x, y, epochs=1, verbose=0, shuffle=False).history["loss"]
    np.testing.assert_allclose(h1, h2, rtol=1e-5)
    assert all(
        backend.is_tensor(v.value) for v in ours.weights + ours.optimizer.variables
    )
    assert all(other.backend.is_tensor(v.value) for v in other.weights)


@pytest.mark.needs_backend("numpy")
def test_custom_layer_with_weights(backend: Any) -> None:
    class Linear(keras.layers.Layer):
        def __init__(self, units: int = 4, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape: Any) -> None:
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units),
                initializer="random_normal",
                name="w",
            )
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

        def call(self, inputs: Any) -> Any:
            return keras.ops.matmul(inputs, self.w) + self.b

    inputs = keras.Input((5,))
    model = keras.Model(inputs, layers.Dense(1)(Linear(3)(inputs)), backend=backend)
    assert [w.shape for w in model.weights] == [(5, 3), (3,), (3, 1), (1,)]
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).random((32, 5), dtype=np.float32)
    before = model.get_weights()
    model.fit(x, x.sum(axis=1, keepdims=True), epochs=2, verbose=0)
    assert not np.allclose(before[0], model.get_weights()[0])
    model.set_weights(before)
    np.testing.assert_array_equal(model.get_weights()[0], before[0])


def test_subclassed_model(backend: Any) -> None:
    class TwoLayers(keras.Model):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.hidden = layers.Dense(8, activation="relu")
            self.drop = layers.Dropout(0.5)
            self.out = layers.Dense(2)

        def call(self, inputs: Any, training: bool | None = None) -> Any:
            return self.out(self.drop(self.hidden(inputs), training=training))

    model = TwoLayers(backend=backend)
    model.compile(
        "adam",
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    x = np.random.default_rng(1).random((40, 3), dtype=np.float32)
    h = model.fit(x, (x[:, 0] > 0.5).astype("int32"), epochs=2, batch_size=8, verbose=0)
    assert len(model.weights) == 4 and np.isfinite(h.history["loss"]).all()
    p1, p2 = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(p1, p2)  # no dropout at inference


def test_summary(backend: Any, capsys: pytest.CaptureFixture[str]) -> None:
    model = mlp(backend)
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "sequential' in out and "Dense" in out and "(None, 16)" in out
    assert "Total params: 12,730" in out and "Trainable params: 12,730" in out


def test_regularizers_add_to_the_loss(backend: Any) -> None:
    x, y = mnist_like(16)
    model = keras.Sequential(
        [
            keras.Input((784,)),
            layers.Dense(10, kernel_regularizer=keras.regularizers.l2(0.1)),
        ],
        backend=backend,
    )
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    reg = 0.1 * float((model.layers[0].kernel.numpy() ** 2).sum())
    data_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with keras.config.use_backend(backend):
        plain = float(
            np.asarray(model.engine.numpy(data_loss(y, model.predict(x, verbose=0))))
        )
    assert model.evaluate(x, y, verbose=0) == pytest.approx(plain + reg, rel=1e-5)


def test_an_int_is_not_a_shape_as_in_keras() -> None:
    import kconform.framework as keras

    with pytest.raises(
        ValueError, match=r"Cannot convert '4' to a shape.*shape=\(4,\)"
    ):
        keras.Input(shape=4)
    assert keras.Input(shape=[4]).shape == (None, 4)


def test_targets_of_rank_one_train_a_single_unit_output(backend: Any) -> None:
    """The seeds' Pima-diabetes classifier: 1-D labels, Dense(1, sigmoid), as Keras
    aligns ranks in every loss and metric (never by broadcasting (n,) to (n, n))."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 8)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")  # shape (40,)
    model = keras.Sequential(
        [keras.Input((8,)), layers.Dense(12, activation="relu"),
         layers.Dense(1, activation="sigmoid")],
        backend=backend,
    )  # fmt: skip
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_split=0.2)
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    loss, acc = model.evaluate(x, y, verbose=0)
    # The same numbers as with (n, 1) targets: alignment, not broadcasting.
    loss2, acc2 = model.evaluate(x, y[:, None], verbose=0)
    assert loss == pytest.approx(loss2, rel=1e-6) and acc == pytest.approx(acc2)
    assert 0.0 < loss < 5.0 and 0.0 <= acc <= 1.0
    p = model.predict(x, verbose=0)
    for cls in ("MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy"):
        fn = getattr(keras.losses, cls)()
        a, b = fn(y, p), fn(y[:, None], p)
        assert np.asarray(a).shape == () and float(np.asarray(a)) == pytest.approx(
            float(np.asarray(b)), rel=1e-6
        ), cls


def test_label_mistakes_are_explained(backend: Any) -> None:
    x, y = mnist_like(20)  # integer labels
    model = keras.Sequential(
        [keras.Input((784,)), layers.Dense(10, activation="softmax")], backend=backend
    )
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match="(?s)target.shape=.*use "
                       "sparse_categorical_crossentropy.*to_categorical"):  # fmt: skip
        model.fit(x, y, verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    one_hot = np.eye(10, dtype="float32")[y]
    with pytest.raises(ValueError, match="(?s)one-hot labels. Use "
                       "categorical_crossentropy"):  # fmt: skip
        model.fit(x, one_hot, verbose=0)


def test_a_file_name_as_data_is_explained(backend: Any) -> None:
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1)], backend=backend)
    model.compile("adam", "mse")
    with pytest.raises(ValueError, match=r"(?s)x='data.csv'.*do not read files.*"
                       r"numpy.loadtxt\('data.csv', delimiter=','\)"):  # fmt: skip
        model.fit("data.csv", np.zeros(4), verbose=0)
    with pytest.raises(ValueError, match="y='labels.csv'"):
        model.evaluate(np.zeros((2, 4)), "labels.csv", verbose=0)
