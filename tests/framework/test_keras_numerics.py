"""Keras 3 numerics, definition for definition: same weights and data, same numbers.

Each test builds the same thing in real Keras (JAX backend) and in the
reference framework on the backend under test, and compares.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fw_data import mnist_like

import kconform.framework as keras
from kconform.framework import layers
from kconform.framework._engine import engine_for
from kconform.framework.variables import Variable


def seed_mlp(k: Any, **kw: Any) -> Any:
    inputs = k.Input(shape=(784,))
    x = k.layers.Dense(64, activation="relu")(inputs)
    outputs = k.layers.Dense(10)(x)
    return k.Model(inputs=inputs, outputs=outputs, **kw)


def test_seed_mlp_losses_match_keras(backend: Any, real_keras: Any) -> None:
    """The acceptance model: 2 epochs of RMSprop give Keras's losses to 1e-5."""
    x, y = mnist_like(640, seed=7)
    ref = seed_mlp(real_keras)
    ours = seed_mlp(keras, backend=backend)
    ours.set_weights(ref.get_weights())
    for model, k in ((ref, real_keras), (ours, keras)):
        model.compile(
            loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=k.optimizers.RMSprop(),
            metrics=["accuracy"],
        )
    h_ref = ref.fit(
        x, y, batch_size=64, epochs=2, shuffle=False, verbose=0, validation_split=0.2
    ).history
    h_ours = ours.fit(
        x, y, batch_size=64, epochs=2, shuffle=False, verbose=0, validation_split=0.2
    ).history
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(h_ours[key], h_ref[key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(h_ours["accuracy"], h_ref["accuracy"], atol=2 / 512)
    for w_ours, w_ref in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(w_ours, w_ref, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        ours.predict(x[:32], verbose=0),
        ref.predict(x[:32], verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )


OPTIMIZERS = {
    "sgd": ("SGD", {}),
    "sgd-momentum": ("SGD", {"momentum": 0.9}),
    "sgd-nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adam": ("Adam", {}),
    "adam-amsgrad": ("Adam", {"amsgrad": True, "learning_rate": 0.01}),
    "adamw": ("AdamW", {"learning_rate": 0.01}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop-momentum-centered": ("RMSprop", {"momentum": 0.5, "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "adam-clipnorm": ("Adam", {"clipnorm": 0.5}),
    "sgd-clipvalue": ("SGD", {"clipvalue": 0.05}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "lion": ("Lion", {"learning_rate": 0.001}),
    "rmsprop-global-clipnorm": ("RMSprop", {"global_clipnorm": 0.3}),
}


@pytest.mark.parametrize("case", list(OPTIMIZERS))
def test_optimizer_update_rules_match_keras(
    backend: Any, real_keras: Any, case: str
) -> None:
    cls_name, kwargs = OPTIMIZERS[case]
    rng = np.random.default_rng(0)
    w0 = [
        rng.standard_normal((4, 3)).astype("float32"),
        rng.standard_normal(3).astype("float32"),
    ]
    grads = [
        [rng.standard_normal(w.shape).astype("float32") for w in w0] for _ in range(5)
    ]
    ref_vars = [real_keras.Variable(w) for w in w0]
    ref_opt = getattr(real_keras.optimizers, cls_name)(**kwargs)
    engine = engine_for(backend)
    our_vars = [Variable(w, engine=engine) for w in w0]
    our_opt = getattr(keras.optimizers, cls_name)(**kwargs)
    for g in grads:
        ref_opt.apply_gradients(zip(g, ref_vars))
        our_opt.apply([engine.tensor(x) for x in g], our_vars)
    for ours, ref in zip(our_vars, ref_vars):
        np.testing.assert_allclose(ours.numpy(), np.asarray(ref), rtol=2e-6, atol=1e-7)
    assert int(our_opt.iterations.numpy()) == 5


def test_exponential_decay_matches_keras(backend: Any, real_keras: Any) -> None:
    kw = {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}
    engine = engine_for(backend)
    var, ref_var = (
        Variable(np.ones(3, "float32"), engine=engine),
        real_keras.Variable(np.ones(3, "float32")),
    )
    ours = keras.optimizers.SGD(
        keras.optimizers.schedules.ExponentialDecay(**kw, staircase=True)
    )
    ref = real_keras.optimizers.SGD(
        real_keras.optimizers.schedules.ExponentialDecay(**kw, staircase=True)
    )
    for _ in range(5):
        ours.apply([engine.tensor(np.ones(3, "float32"))], [var])
        ref.apply_gradients([(np.ones(3, "float32"), ref_var)])
    np.testing.assert_allclose(var.numpy(), np.asarray(ref_var), rtol=1e-6)


def _loss_cases() -> dict[str, tuple[str, dict[str, Any], str]]:
    return {
        "sparse-probs": ("SparseCategoricalCrossentropy", {}, "sparse"),
        "sparse-logits": (
            "SparseCategoricalCrossentropy",
            {"from_logits": True},
            "sparse",
        ),
        "categorical-probs": ("CategoricalCrossentropy", {}, "onehot"),
        "categorical-logits-smoothing": (
            "CategoricalCrossentropy",
            {"from_logits": True, "label_smoothing": 0.1},
            "onehot",
        ),
        "binary-probs": ("BinaryCrossentropy", {}, "binary"),
        "binary-logits": ("BinaryCrossentropy", {"from_logits": True}, "binary"),
        "mse": ("MeanSquaredError", {}, "regression"),
        "mae": ("MeanAbsoluteError", {}, "regression"),
        "huber": ("Huber", {"delta": 0.5}, "regression"),
    }


def _loss_data(kind: str, logits: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    raw = rng.standard_normal((16, 5)).astype("float32") * 3
    if kind == "binary":
        pred = raw[:, :1] if logits else 1 / (1 + np.exp(-raw[:, :1]))
        pred = pred.astype("float32")
        pred[0, 0] = 0.0 if not logits else pred[0, 0]  # exercises the 1e-7 clipping
        return (rng.random((16, 1)) > 0.5).astype("float32"), pred
    if kind == "regression":
        return rng.standard_normal((16, 5)).astype("float32"), raw
    probs = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    probs[0] = [1.0, 0.0, 0.0, 0.0, 0.0]  # log(0) without the clipping
    pred = raw if logits else probs.astype("float32")
    labels = rng.integers(0, 5, 16)
    labels[0] = 1
    return (labels if kind == "sparse" else np.eye(5, dtype="float32")[labels]), pred


@pytest.mark.parametrize("case", list(_loss_cases()))
def test_losses_match_keras(backend: Any, real_keras: Any, case: str) -> None:
    cls_name, kwargs, kind = _loss_cases()[case]
    y_true, y_pred = _loss_data(kind, kwargs.get("from_logits", False))
    sw = np.linspace(0.0, 2.0, 16).astype("float32")
    engine = engine_for(backend)
    ours = getattr(keras.losses, cls_name)(**kwargs)
    ref = getattr(real_keras.losses, cls_name)(**kwargs)
    with keras.config.use_backend(backend):
        for weights in (None, sw):
            value = float(engine.numpy(ours(y_true, y_pred, sample_weight=weights)))
            expected = float(ref(y_true, y_pred, sample_weight=weights))
            np.testing.assert_allclose(
                value,
                expected,
                rtol=2e-6,
                err_msg=f"sample_weight={weights is not None}",
            )


@pytest.mark.parametrize(
    "spec,y_true,y_pred,name",
    [
        (
            "accuracy",
            [[1], [2], [0]],
            [[0.1, 0.8, 0.1], [0.2, 0.1, 0.7], [0.5, 0.4, 0.1]],
            "SparseCategoricalAccuracy",
        ),
        ("accuracy", [[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]], "CategoricalAccuracy"),
        ("accuracy", [[1.0], [0.0], [1.0]], [[0.7], [0.6], [0.2]], "BinaryAccuracy"),
    ],
)
def test_accuracy_resolves_as_keras(
    backend: Any, real_keras: Any, spec: str, y_true: Any, y_pred: Any, name: str
) -> None:
    from kconform.framework.compile_utils import _resolve_metric

    yt, yp = np.asarray(y_true, "float32"), np.asarray(y_pred, "float32")
    metric = _resolve_metric(spec, yt.shape, yp.shape)
    assert type(metric).__name__ == name and metric.name == "accuracy"
    with keras.config.use_backend(backend):
        metric.update_state(yt, yp)
        ours = float(engine_for(backend).numpy(metric.result()))
    ref = getattr(real_keras.metrics, name)()
    ref.update_state(yt, yp)
    assert ours == pytest.approx(float(ref.result()), abs=1e-7)


def test_batch_normalization_matches_keras(backend: Any, real_keras: Any) -> None:
    """Batch statistics (biased variance) in training; momentum 0.99, epsilon 1e-3."""
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((8, 5, 5, 3)) * 2 + 1).astype("float32")
    ours, ref = layers.BatchNormalization(), real_keras.layers.BatchNormalization()
    assert (ours.momentum, ours.epsilon) == (0.99, 1e-3)
    with keras.config.use_backend(backend):
        out_train = np.asarray(engine_for(backend).numpy(ours(x, training=True)))
        out_infer = np.asarray(engine_for(backend).numpy(ours(x, training=False)))
    ref_train = np.asarray(ref(x, training=True))
    ref_infer = np.asarray(ref(x, training=False))
    np.testing.assert_allclose(out_train, ref_train, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        ours.moving_mean.numpy(), np.asarray(ref.moving_mean), rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(
        ours.moving_variance.numpy(), np.asarray(ref.moving_variance), rtol=1e-6
    )
    np.testing.assert_allclose(out_infer, ref_infer, rtol=1e-5, atol=1e-5)


def test_dropout_is_inverted(backend: Any) -> None:
    x = np.ones((200, 50), "float32")
    layer = layers.Dropout(0.3)
    with keras.config.use_backend(backend):
        out = engine_for(backend).numpy(layer(x, training=True))
        same = engine_for(backend).numpy(layer(x, training=False))
    kept = out[out != 0]
    np.testing.assert_allclose(kept, np.float32(1) / np.float32(0.7), rtol=1e-6)
    assert abs((out == 0).mean() - 0.3) < 0.03
    np.testing.assert_array_equal(same, x)


def test_glorot_uniform_limits() -> None:
    w = keras.initializers.GlorotUniform(seed=1)((300, 200))
    limit = np.sqrt(6 / 500)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    assert abs(w.std() - limit / np.sqrt(3)) < 0.01 * limit
    conv = keras.initializers.GlorotUniform(seed=1)(
        (3, 3, 8, 16)
    )  # fans from the receptive field
    assert np.abs(conv).max() <= np.sqrt(6 / (9 * 8 + 9 * 16))
    he = keras.initializers.HeNormal(seed=0)((1000, 100))
    assert abs(he.std() - np.sqrt(2 / 1000)) < 0.05 * np.sqrt(2 / 1000)
    q = keras.initializers.Orthogonal(seed=0)((6, 6))
    np.testing.assert_allclose(q @ q.T, np.eye(6), atol=1e-5)


@pytest.mark.parametrize("name", ["conv", "lstm", "embedding"])
def test_layer_forward_matches_keras(backend: Any, real_keras: Any, name: str) -> None:
    rng = np.random.default_rng(3)
    makers = {
        "conv": lambda k: k.layers.Conv2D(
            4, 3, strides=2, padding="same", activation="relu"
        ),
        "lstm": lambda k: k.layers.LSTM(5, return_sequences=True),
        "embedding": lambda k: k.layers.Embedding(20, 4),
    }
    make = makers[name]
    if name == "conv":
        x = rng.standard_normal((2, 9, 9, 3)).astype("float32")
    elif name == "lstm":
        x = rng.standard_normal((3, 6, 4)).astype("float32")
    else:
        x = rng.integers(0, 20, (3, 7)).astype("int32")
    ref = make(real_keras)
    expected = np.asarray(ref(x))
    ours = make(keras)
    with keras.config.use_backend(backend):
        ours(x)  # build
        ours.set_weights(ref.get_weights())
        got = engine_for(backend).numpy(ours(x))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_lstm_gate_layout_and_forget_bias() -> None:
    layer = layers.LSTM(3)
    layer.build((None, 5, 2))
    bias = layer.bias.numpy()
    np.testing.assert_array_equal(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    assert layer.kernel.shape == (2, 12) and layer.recurrent_kernel.shape == (3, 12)
