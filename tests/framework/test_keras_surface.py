"""The Keras 3 surface, layer by layer: same definitions, same weights, same numbers.

Each case builds one small model in real Keras (the ``real_keras`` fixture)
and in the reference framework on the backend under test, copies Keras's
weights into ours and compares the predictions; the idioms without a numeric
result (config round trips, variables, callbacks) are checked by behaviour.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import kconform.framework as keras
from kconform.framework import layers, ops

RNG = np.random.default_rng(7)
VEC = RNG.normal(size=(6, 8)).astype("float32")
SEQ = RNG.normal(size=(6, 5, 4)).astype("float32")
IMG = RNG.normal(size=(3, 6, 6, 2)).astype("float32")


def _seq(shape: tuple[int, ...], *made: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def build(k: Any) -> Any:
        return k.Sequential([k.Input(shape=shape), *(m(k) for m in made)])

    return build


#: name -> (builder of a model from a Keras-like module, input)
LAYER_CASES: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "relu-extended": (
        _seq((8,), lambda k: k.layers.ReLU(max_value=1.5, negative_slope=0.1)),
        VEC * 3,
    ),
    "relu-threshold": (
        _seq((8,), lambda k: k.layers.ReLU(threshold=0.5, negative_slope=0.2)),
        VEC,
    ),
    "leaky-relu": (_seq((8,), lambda k: k.layers.LeakyReLU()), VEC),
    "elu": (_seq((8,), lambda k: k.layers.ELU(alpha=0.7)), VEC),
    "softmax": (_seq((8,), lambda k: k.layers.Softmax()), VEC),
    "prelu": (
        _seq(
            (6, 6, 2),
            lambda k: k.layers.PReLU(alpha_initializer="ones", shared_axes=[1, 2]),
        ),
        IMG,
    ),
    "repeat-permute": (
        _seq(
            (8,), lambda k: k.layers.RepeatVector(3), lambda k: k.layers.Permute((2, 1))
        ),
        VEC,
    ),
    "upsampling-padding-cropping-2d": (
        _seq(
            (6, 6, 2),
            lambda k: k.layers.UpSampling2D((2, 3)),
            lambda k: k.layers.ZeroPadding2D(((1, 0), (2, 1))),
            lambda k: k.layers.Cropping2D(((0, 2), (1, 1))),
        ),
        IMG,
    ),
    "upsampling-padding-cropping-1d": (
        _seq(
            (5, 4),
            lambda k: k.layers.UpSampling1D(2),
            lambda k: k.layers.ZeroPadding1D((1, 2)),
            lambda k: k.layers.Cropping1D((2, 1)),
        ),
        SEQ,
    ),
    "pooling-1d": (
        _seq(
            (5, 4),
            lambda k: k.layers.MaxPooling1D(2, strides=1, padding="same"),
            lambda k: k.layers.AveragePooling1D(2),
        ),
        SEQ,
    ),
    "global-max-pooling-1d": (
        _seq(
            (5, 4), lambda k: k.layers.GlobalMaxPooling1D(), lambda k: k.layers.Dense(3)
        ),
        SEQ,
    ),
    "rescaling": (
        _seq((6, 6, 2), lambda k: k.layers.Rescaling(1 / 255.0, offset=-0.5)),
        IMG * 100,
    ),
    "normalization-given": (
        _seq(
            (8,),
            lambda k: k.layers.Normalization(mean=VEC.mean(0), variance=VEC.var(0)),
        ),
        VEC,
    ),
    "unit-normalization": (_seq((8,), lambda k: k.layers.UnitNormalization()), VEC),
    "group-normalization": (
        _seq(
            (6, 6, 2),
            lambda k: k.layers.Conv2D(4, 1),
            lambda k: k.layers.GroupNormalization(groups=2),
        ),
        IMG,
    ),
    "rms-normalization": (_seq((8,), lambda k: k.layers.RMSNormalization()), VEC * 3),
    "conv2d-transpose-same": (
        _seq(
            (6, 6, 2),
            lambda k: k.layers.Conv2DTranspose(3, 3, strides=2, padding="same"),
        ),
        IMG,
    ),
    "conv2d-transpose-valid": (
        _seq((6, 6, 2), lambda k: k.layers.Conv2DTranspose(2, (4, 3), strides=(2, 3))),
        IMG,
    ),
    "conv2d-transpose-kernel-below-stride": (
        _seq(
            (6, 6, 2),
            lambda k: k.layers.Conv2DTranspose(2, 2, strides=3, padding="same"),
        ),
        IMG,
    ),
    "conv2d-transpose-output-padding": (
        _seq(
            (6, 6, 2),
            lambda k: k.layers.Conv2DTranspose(
                2, 3, strides=2, padding="same", output_padding=1, activation="relu"
            ),
        ),
        IMG,
    ),
    "depthwise-separable": (
        _seq(
            (6, 6, 2),
            lambda k: k.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
            lambda k: k.layers.SeparableConv2D(3, 2, strides=2, activation="relu"),
        ),
        IMG,
    ),
    "conv1d-transpose": (
        _seq(
            (5, 4), lambda k: k.layers.Conv1DTranspose(3, 4, strides=2, padding="same")
        ),
        SEQ,
    ),
    "simple-rnn": (
        _seq((5, 4), lambda k: k.layers.SimpleRNN(3, return_sequences=True)),
        SEQ,
    ),
    "gru": (_seq((5, 4), lambda k: k.layers.GRU(3)), SEQ),
    "gru-reset-before-backwards": (
        _seq(
            (5, 4),
            lambda k: k.layers.GRU(
                3, reset_after=False, go_backwards=True, return_sequences=True
            ),
        ),
        SEQ,
    ),
    "lstm-sequences": (
        _seq((5, 4), lambda k: k.layers.LSTM(3, return_sequences=True)),
        SEQ,
    ),
    "rnn-lstm-cell": (
        _seq(
            (5, 4), lambda k: k.layers.RNN(k.layers.LSTMCell(3), return_sequences=True)
        ),
        SEQ,
    ),
    "rnn-stacked-gru-cells": (
        _seq(
            (5, 4), lambda k: k.layers.RNN([k.layers.GRUCell(3), k.layers.GRUCell(2)])
        ),
        SEQ,
    ),
    "rnn-simple-cell-backwards": (
        _seq(
            (5, 4),
            lambda k: k.layers.RNN(k.layers.SimpleRNNCell(3), go_backwards=True),
        ),
        SEQ,
    ),
    "bidirectional-rnn-cell": (
        _seq(
            (5, 4), lambda k: k.layers.Bidirectional(k.layers.RNN(k.layers.LSTMCell(2)))
        ),
        SEQ,
    ),
    "bidirectional-concat": (
        _seq((5, 4), lambda k: k.layers.Bidirectional(k.layers.LSTM(3))),
        SEQ,
    ),
    "bidirectional-sum-sequences": (
        _seq(
            (5, 4),
            lambda k: k.layers.Bidirectional(
                k.layers.GRU(3, return_sequences=True), merge_mode="sum"
            ),
        ),
        SEQ,
    ),
    "time-distributed": (
        _seq((5, 4), lambda k: k.layers.TimeDistributed(k.layers.Dense(2))),
        SEQ,
    ),
    "masking-lstm": (
        _seq(
            (5, 4),
            lambda k: k.layers.Masking(0.0),
            lambda k: k.layers.LSTM(3, return_sequences=True),
        ),
        np.where(
            np.arange(5)[None, :, None] >= [[[3]], [[5]], [[1]], [[4]], [[2]], [[5]]],
            0.0,
            SEQ,
        ).astype("float32"),
    ),
    "embedding-mask-zero": (
        _seq(
            (6,),
            lambda k: k.layers.Embedding(10, 4, mask_zero=True),
            lambda k: k.layers.Bidirectional(k.layers.GRU(3)),
        ),
        np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [9, 8, 7, 6, 5, 4]]),
    ),
    "embedding-mask-pooling": (
        _seq(
            (6,),
            lambda k: k.layers.Embedding(10, 4, mask_zero=True),
            lambda k: k.layers.GlobalAveragePooling1D(),
            lambda k: k.layers.Dense(2),
        ),
        np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [9, 8, 7, 6, 5, 4]]),
    ),
}


def _pair(real_keras: Any, backend: Any, build: Callable[[Any], Any]) -> Any:
    keras.config.set_backend(backend)
    ref, ours = build(real_keras), build(keras)
    ours.set_weights(ref.get_weights())
    return ref, ours


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_layers_compute_what_keras_computes(
    backend: Any, real_keras: Any, case: str
) -> None:
    build, x = LAYER_CASES[case]
    ref, ours = _pair(real_keras, backend, build)
    expected = np.asarray(ref.predict(x, verbose=0))
    got = ours.predict(x, verbose=0)
    assert got.shape == expected.shape
    assert ours.output_shape == tuple(ref.output_shape)
    np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-6)


def test_dot_and_the_functional_helpers_match_keras(
    backend: Any, real_keras: Any
) -> None:
    def build(k: Any) -> Any:
        a, b = k.Input((8,)), k.Input((8,))
        s1, s2 = k.Input((5, 4)), k.Input((3, 4))
        out = [
            k.layers.concatenate([a, b]),
            k.layers.add([a, b]),
            k.layers.subtract([a, b]),
            k.layers.multiply([a, b]),
            k.layers.average([a, b]),
            k.layers.maximum([a, b]),
            k.layers.minimum([a, b]),
            k.layers.dot([a, b], axes=1),
            k.layers.Dot(axes=1, normalize=True)([a, b]),
            k.layers.Dot(axes=(2, 2))([s1, s2]),
        ]
        return k.Model([a, b, s1, s2], out)

    ref, ours = _pair(real_keras, backend, build)
    xs = [VEC, VEC[::-1].copy(), SEQ, SEQ[:, :3]]
    for got, expected in zip(ours.predict(xs, verbose=0), ref.predict(xs, verbose=0)):
        np.testing.assert_allclose(got, np.asarray(expected), rtol=2e-6, atol=1e-6)


def test_normalization_adapts_as_keras_does(backend: Any, real_keras: Any) -> None:
    data = (RNG.normal(size=(40, 3, 4)) * [1.0, 5.0, 0.1, 2.0] + 3).astype("float32")
    keras.config.set_backend(backend)
    for axis in (-1, (1, 2), None):
        ref = real_keras.layers.Normalization(axis=axis)
        ours = layers.Normalization(axis=axis)
        ref.adapt(data)
        ours.adapt(data)
        np.testing.assert_allclose(
            ops.convert_to_numpy(ours(data)),
            np.asarray(ref(data)),
            rtol=1e-5,
            atol=1e-5,
        )
    batches = [data[:16], data[16:30], data[30:]]
    ref, ours = real_keras.layers.Normalization(), layers.Normalization()
    ref.adapt(iter(batches))
    ours.adapt(iter(batches))
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours(data)), np.asarray(ref(data)), rtol=1e-5, atol=1e-5
    )
    inverse = layers.Normalization(mean=2.0, variance=4.0, invert=True)
    np.testing.assert_allclose(
        ops.convert_to_numpy(inverse(np.ones((2, 3), "float32"))), 4.0, rtol=1e-6
    )


SCHEDULES = {
    "piecewise": ("PiecewiseConstantDecay", ([3, 7], [0.5, 0.1, 0.01])),
    "polynomial": ("PolynomialDecay", (0.1, 8, 0.001, 2.0)),
    "polynomial-cycle": ("PolynomialDecay", (0.1, 4, 0.001, 1.0, True)),
    "inverse-time": ("InverseTimeDecay", (0.1, 3, 0.5)),
    "inverse-time-staircase": ("InverseTimeDecay", (0.1, 3, 0.5, True)),
    "cosine": ("CosineDecay", (0.1, 6, 0.1)),
    "cosine-warmup": ("CosineDecay", (0.0, 6, 0.0, "c", 0.2, 4)),
    "exponential": ("ExponentialDecay", (0.1, 3, 0.9, True)),
    "cosine-restarts": ("CosineDecayRestarts", (0.1, 3, 2.0, 0.8, 0.1)),
    "cosine-restarts-fixed-period": ("CosineDecayRestarts", (0.1, 4, 1.0, 0.5)),
}


@pytest.mark.parametrize("case", list(SCHEDULES))
def test_learning_rate_schedules_match_keras(
    backend: Any, real_keras: Any, case: str
) -> None:
    name, args = SCHEDULES[case]
    ref = getattr(real_keras.optimizers.schedules, name)(*args)
    ours = getattr(keras.optimizers.schedules, name)(*args)
    keras.config.set_backend(backend)
    for step in range(13):
        got = float(ops.convert_to_numpy(ours(np.asarray(step, "int32"))))
        assert got == pytest.approx(float(ref(step)), rel=1e-6, abs=1e-9), step
    again = keras.optimizers.schedules.deserialize(
        keras.optimizers.schedules.serialize(ours)
    )
    assert again.get_config() == ours.get_config()


def test_a_schedule_drives_training_and_the_rate_is_a_variable(backend: Any) -> None:
    keras.config.set_backend(backend)
    lr = keras.optimizers.schedules.PiecewiseConstantDecay([2], [0.1, 0.01])
    model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(lr), "mse")
    model.fit(VEC, VEC[:, :1], batch_size=2, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 3
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    fixed = keras.optimizers.Adam(0.01)
    fixed.learning_rate.assign(0.001)
    assert float(fixed.learning_rate) == pytest.approx(0.001)
    fixed.learning_rate = 0.002
    assert float(fixed.learning_rate.numpy()) == pytest.approx(0.002)


def test_model_configs_round_trip(backend: Any) -> None:
    keras.config.set_backend(backend)
    seq = keras.Sequential(
        [keras.Input((8,)), layers.Dense(3, activation="relu"), layers.LeakyReLU()]
    )
    again = keras.Sequential.from_config(seq.get_config())
    assert [type(x).__name__ for x in again.layers] == ["Dense", "LeakyReLU"]
    assert again.output_shape == seq.output_shape == (None, 3)
    assert again.input_shape == (None, 8)
    a = keras.Input((8,))
    b = keras.Input((4,))
    out = layers.Dense(2)(layers.concatenate([a, b]))
    func = keras.Model([a, b], out)
    rebuilt = keras.Model.from_config(func.get_config())
    assert rebuilt.input_shape == [(None, 8), (None, 4)]
    assert rebuilt.count_params() == func.count_params()
    from_json = keras.models.model_from_json(seq.to_json())
    assert json.loads(from_json.to_json())["class_name"] == "Sequential"
    from_json.set_weights(seq.get_weights())
    np.testing.assert_array_equal(
        from_json.predict(VEC, verbose=0), seq.predict(VEC, verbose=0)
    )


def test_variables_and_metric_state_as_keras_writes_them(backend: Any) -> None:
    keras.config.set_backend(backend)
    v = keras.Variable(1.0)
    v.assign_add(2.0)
    v.assign_sub(0.5)
    assert float(v) == 2.5 and v.dtype == "float32"
    w = keras.Variable(initializer="ones", shape=(2, 3), name="w")
    assert w.numpy().sum() == 6.0 and w.name == "w"
    with pytest.raises(ValueError, match="shape"):
        keras.Variable(initializer="zeros")

    class Total(keras.metrics.Metric):
        def __init__(self, name: str = "total", **kw: Any) -> None:
            super().__init__(name=name, **kw)
            self.total = self.add_variable(shape=(), initializer="ones", name="t")

        def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None):
            self.total.assign_add(ops.sum(y_pred))

        def result(self) -> Any:
            return self.total

    model = keras.Sequential([keras.Input((8,)), layers.Dense(1, use_bias=False)])
    model.compile("sgd", "mse", metrics=[Total()])
    logs = model.evaluate(VEC, VEC[:, :1], return_dict=True, verbose=0)
    expected = 1.0 + model.predict(VEC, verbose=0).sum()
    assert logs["total"] == pytest.approx(expected, rel=1e-5, abs=1e-5)
    metric = model.metrics[-1] if model.metrics[-1].name == "total" else None
    if metric is not None:
        metric.reset_state()
        assert float(metric.result()) == 1.0  # back to its initial value


def test_validation_calls_the_test_batch_hooks_and_terminate_on_nan_stops(
    backend: Any,
) -> None:
    keras.config.set_backend(backend)
    seen: list[str] = []

    class Hooks(keras.callbacks.Callback):
        def on_test_begin(self, logs=None):
            seen.append("begin")

        def on_test_batch_end(self, batch, logs=None):
            seen.append(f"batch{batch}")

    model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(
        VEC,
        VEC[:, :1],
        batch_size=2,
        epochs=2,
        validation_split=0.5,
        verbose=0,
        callbacks=[Hooks()],
    )
    assert seen == ["begin", "batch0", "batch1"] * 2
    big = np.full((6, 8), 1e30, "float32")
    history = model.fit(
        big,
        big[:, :1],
        epochs=3,
        verbose=0,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    )
    assert len(history.history["loss"]) == 1
    assert not math.isfinite(history.history["loss"][0])


def test_keras_random_and_the_extra_ops(backend: Any) -> None:
    keras.config.set_backend(backend)
    gen = keras.random.SeedGenerator(3)
    a = ops.convert_to_numpy(keras.random.normal((50,), seed=gen))
    b = ops.convert_to_numpy(keras.random.normal((50,), seed=gen))
    assert not np.array_equal(a, b)
    again = keras.random.SeedGenerator(3)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(keras.random.normal((50,), seed=again)), a
    )
    u = ops.convert_to_numpy(keras.random.uniform((200,), 2.0, 3.0, seed=1))
    assert u.min() >= 2.0 and u.max() < 3.0
    r = ops.convert_to_numpy(keras.random.randint((200,), 0, 4, seed=2))
    assert set(r.tolist()) == {0, 1, 2, 3}
    kept = ops.convert_to_numpy(
        keras.random.dropout(np.ones(400, "float32"), 0.5, seed=4)
    )
    assert set(np.unique(kept).tolist()) <= {0.0, 2.0} and 100 < (kept > 0).sum() < 300
    x = np.arange(12.0, dtype="float32").reshape(3, 4)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.arange(1, 7, 2)), [1, 3, 5])
    np.testing.assert_allclose(
        ops.convert_to_numpy(ops.norm(x)), np.linalg.norm(x), 1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(ops.norm(x, ord=1, axis=1)), np.abs(x).sum(1), 1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(ops.einsum("ij,kj", x, x)), x @ x.T, 1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(ops.tensordot(x, x.T, axes=1)), x @ x.T, 1e-6
    )


def test_recurrent_states_feed_another_layer_as_in_keras(
    backend: Any, real_keras: Any
) -> None:
    def build(k: Any) -> Any:
        enc_in, dec_in = k.Input((5, 4)), k.Input((3, 4))
        _, h, c = k.layers.LSTM(3, return_state=True)(enc_in)
        dec = k.layers.LSTM(3, return_sequences=True)(dec_in, initial_state=[h, c])
        return k.Model(
            [enc_in, dec_in], k.layers.TimeDistributed(k.layers.Dense(2))(dec)
        )

    ref, ours = _pair(real_keras, backend, build)
    xs = [SEQ, SEQ[:, :3]]
    np.testing.assert_allclose(
        ours.predict(xs, verbose=0),
        np.asarray(ref.predict(xs, verbose=0)),
        rtol=2e-6,
        atol=1e-6,
    )
    again = keras.Model.from_config(ours.get_config())
    again.set_weights(ours.get_weights())
    np.testing.assert_array_equal(
        again.predict(xs, verbose=0), ours.predict(xs, verbose=0)
    )


TOKENS = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [9, 8, 7, 6, 5, 4]])


@pytest.mark.parametrize("variant", ["self", "cross-causal", "masked-block"])
def test_attention_matches_keras(backend: Any, real_keras: Any, variant: str) -> None:
    def build(k: Any) -> Any:
        if variant == "self":
            x = k.Input((5, 4))
            out = k.layers.MultiHeadAttention(num_heads=2, key_dim=3)(x, x)
            return k.Model(x, out)
        if variant == "cross-causal":
            q, v = k.Input((5, 4)), k.Input((5, 6))
            mha = k.layers.MultiHeadAttention(2, 3, value_dim=2, output_shape=5)
            out, scores = mha(q, v, use_causal_mask=True, return_attention_scores=True)
            dot = k.layers.Attention(use_scale=True)([q, q])
            return k.Model([q, v], [out, scores, dot])
        tokens = k.Input((6,), dtype="int32")
        x = k.layers.Embedding(10, 8, mask_zero=True)(tokens)
        att = k.layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
        x = k.layers.LayerNormalization()(k.layers.add([x, att]))
        ff = k.layers.Dense(8)(k.layers.Dense(16, activation="relu")(x))
        x = k.layers.LayerNormalization()(k.layers.add([x, ff]))
        pooled = k.layers.GlobalAveragePooling1D()(x)
        return k.Model(tokens, k.layers.Dense(2, activation="softmax")(pooled))

    ref, ours = _pair(real_keras, backend, build)
    xs: Any = {"self": SEQ, "cross-causal": [SEQ, RNG.normal(size=(6, 5, 6))]}.get(
        variant, TOKENS
    )
    if isinstance(xs, list):
        xs = [np.asarray(a, "float32") for a in xs]
    got, expected = ours.predict(xs, verbose=0), ref.predict(xs, verbose=0)
    for g, x in zip(_tree_leaves(got), _tree_leaves(expected)):
        np.testing.assert_allclose(g, np.asarray(x), rtol=1e-5, atol=2e-6)


def _tree_leaves(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


METRICS = {
    "auc-roc": ("AUC", {}),
    "auc-roc-minoring": ("AUC", {"num_thresholds": 50, "summation_method": "minoring"}),
    "auc-pr": ("AUC", {"curve": "PR"}),
    "auc-pr-majoring": ("AUC", {"curve": "PR", "summation_method": "majoring"}),
    "auc-thresholds": ("AUC", {"thresholds": [0.3, 0.5, 0.9]}),
    "auc-logits": ("AUC", {"from_logits": True}),
    "precision": ("Precision", {}),
    "precision-thresholds": ("Precision", {"thresholds": [0.2, 0.7]}),
    "recall": ("Recall", {"thresholds": 0.3}),
    "true-positives": ("TruePositives", {}),
    "false-negatives": ("FalseNegatives", {"thresholds": [0.1, 0.6]}),
    "rmse": ("RootMeanSquaredError", {}),
}


@pytest.mark.parametrize("case", list(METRICS))
def test_metrics_match_keras(backend: Any, real_keras: Any, case: str) -> None:
    name, kwargs = METRICS[case]
    keras.config.set_backend(backend)
    ref = getattr(real_keras.metrics, name)(**kwargs)
    ours = getattr(keras.metrics, name)(**kwargs)
    rng = np.random.default_rng(3)
    for batch in range(3):
        y = (rng.random((16, 1)) > 0.4).astype("float32")
        p = np.clip(y * 0.3 + rng.random((16, 1)) * 0.7, 0, 1).astype("float32")
        w = rng.random(16).astype("float32") if batch == 1 else None
        ref.update_state(y, p, sample_weight=w)
        ours.update_state(y, p, sample_weight=w)
    got = ops.convert_to_numpy(ours.result())
    np.testing.assert_allclose(got, np.asarray(ref.result()), rtol=1e-5, atol=1e-6)
    ours.reset_state()
    assert np.all(ops.convert_to_numpy(ours.result()) == 0)


def test_confusion_metrics_train_in_compile(backend: Any) -> None:
    keras.config.set_backend(backend)
    y = (VEC[:, :1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((8,)), layers.Dense(1, activation="sigmoid")])
    model.compile(
        "adam",
        "binary_crossentropy",
        metrics=["auc", keras.metrics.Precision(), "recall", "root_mean_squared_error"],
    )
    history = model.fit(VEC, y[:, 0], epochs=2, batch_size=3, verbose=0)
    assert {"auc", "precision", "recall", "root_mean_squared_error"} <= set(
        history.history
    )
    assert 0.0 <= history.history["auc"][-1] <= 1.0


def _double(x: Any) -> Any:
    return ops.multiply(x, 2.0)


def test_lambda_layers_save_a_reference_never_code(backend: Any, tmp_path: Any) -> None:
    keras.config.set_backend(backend)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            layers.Lambda(_double),
            layers.Lambda(lambda x, k: x[:, :k], arguments={"k": 3}, name="head"),
        ]
    )
    assert model.output_shape == (None, 3)
    np.testing.assert_allclose(model.predict(VEC, verbose=0), VEC[:, :3] * 2)
    path = tmp_path / "lam.keras"
    model.save(path)
    import zipfile

    with zipfile.ZipFile(path) as zf:
        config = zf.read("config.json").decode()
    assert "co_code" not in config and "bytecode" not in config
    assert '"name": "_double"' in config
    with pytest.raises(Exception, match="custom_objects") as info:
        keras.models.load_model(path)
    assert "_double" in str(info.value)
    loaded = keras.models.load_model(
        path, custom_objects={"_double": _double, "head": lambda x, k: x[:, :k]}
    )
    np.testing.assert_allclose(loaded.predict(VEC, verbose=0), VEC[:, :3] * 2)


def test_subclassed_models_save_and_load_built(backend: Any, tmp_path: Any) -> None:
    keras.config.set_backend(backend)

    @keras.saving.register_keras_serializable(package="surface_test")
    class TwoLayers(keras.Model):
        def __init__(self, units: int = 3, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = units
            self.hidden = layers.Dense(units, activation="relu")
            self.out = layers.Dense(1)

        def call(self, x: Any) -> Any:
            return self.out(self.hidden(x))

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "units": self.units}

    model = TwoLayers(units=4)
    expected = ops.convert_to_numpy(model(VEC))
    model.save(tmp_path / "sub.keras")
    loaded = keras.models.load_model(tmp_path / "sub.keras")
    assert isinstance(loaded, TwoLayers) and loaded.units == 4
    np.testing.assert_allclose(loaded.predict(VEC, verbose=0), expected, rtol=1e-6)


def _autoencoder(k: Any) -> Any:
    x = k.Input((8, 8, 1))
    h = k.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(x)
    y = k.layers.Conv2DTranspose(1, 3, strides=2, padding="same")(h)
    return k.Model(x, y)


def _bigru(k: Any) -> Any:
    return k.Sequential(
        [
            k.Input((6,)),
            k.layers.Embedding(10, 4, mask_zero=True),
            k.layers.Bidirectional(k.layers.GRU(3)),
            k.layers.Dense(1, activation="sigmoid"),
        ]
    )


def _transformer(k: Any) -> Any:
    tokens = k.Input((6,))
    x = k.layers.Embedding(10, 8, mask_zero=True)(tokens)
    att = k.layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    x = k.layers.LayerNormalization()(k.layers.add([x, att]))
    x = k.layers.GlobalAveragePooling1D()(x)
    return k.Model(tokens, k.layers.Dense(1, activation="sigmoid")(x))


def _normalized(k: Any) -> Any:
    norm = k.layers.Normalization()
    norm.adapt(VEC * 3 + 1)
    return k.Sequential(
        [k.Input((8,)), norm, k.layers.Dense(4), k.layers.PReLU(), k.layers.Dense(1)]
    )


TRAINING = {
    "conv-autoencoder": (
        _autoencoder,
        "mse",
        lambda r: (r.normal(size=(16, 8, 8, 1)),) * 2,
    ),
    "bidirectional-gru-masked": (
        _bigru,
        "binary_crossentropy",
        lambda r: (
            r.integers(1, 10, (16, 6)) * (np.arange(6) < r.integers(2, 7, (16, 1))),
            (r.random(16) > 0.5).astype("float32"),
        ),
    ),
    "transformer-block": (
        _transformer,
        "binary_crossentropy",
        lambda r: (
            r.integers(1, 10, (16, 6)) * (np.arange(6) < r.integers(2, 7, (16, 1))),
            (r.random(16) > 0.5).astype("float32"),
        ),
    ),
    "normalization-prelu": (
        _normalized,
        "mse",
        lambda r: (r.normal(size=(16, 8)) * 3 + 1, r.normal(size=(16, 1))),
    ),
}


@pytest.mark.parametrize("case", list(TRAINING))
def test_new_models_train_as_keras_trains_them(
    backend: Any, real_keras: Any, case: str
) -> None:
    """From identical weights, per-epoch losses agree with Keras's to 1e-5."""
    build, loss, data = TRAINING[case]
    x, y = data(np.random.default_rng(11))
    x = np.asarray(x, "float32" if x.dtype.kind == "f" else "int32")
    y = np.asarray(y, "float32")
    ref, ours = _pair(real_keras, backend, build)
    for model, k in ((ref, real_keras), (ours, keras)):
        model.compile(optimizer=k.optimizers.Adam(0.01), loss=loss)
    kw = {"batch_size": 4, "epochs": 3, "shuffle": False, "verbose": 0}
    expected = ref.fit(x, y, **kw).history["loss"]
    got = ours.fit(x, y, **kw).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("MaxNorm", {"max_value": 1.5}),
        ("MaxNorm", {"max_value": 0.5, "axis": 1}),
        ("NonNeg", {}),
        ("UnitNorm", {"axis": 0}),
        ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.0, "rate": 0.7}),
    ],
)
def test_constraints_project_as_keras(
    backend: Any, real_keras: Any, name: str, kwargs: dict[str, Any]
) -> None:
    keras.config.set_backend(backend)
    w = (RNG.normal(size=(4, 3)) * 2).astype("float32")
    expected = np.asarray(getattr(real_keras.constraints, name)(**kwargs)(w))
    got = ops.convert_to_numpy(
        getattr(keras.constraints, name)(**kwargs)(ops.convert_to_tensor(w))
    )
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_constraints_apply_after_each_update(backend: Any) -> None:
    keras.config.set_backend(backend)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            layers.Dense(4, kernel_constraint="non_neg"),
            layers.Dense(1, kernel_constraint=keras.constraints.MaxNorm(0.1)),
        ]
    )
    model.compile(keras.optimizers.SGD(0.5), "mse")
    model.fit(VEC, VEC[:, :1] * 10, epochs=2, verbose=0)
    k1, _, k2, _ = model.get_weights()
    assert k1.min() >= 0.0
    assert np.linalg.norm(k2, axis=0).max() <= 0.1 + 1e-6


def test_noise_layers_train_with_planned_noise(backend: Any) -> None:
    keras.config.set_backend(backend)
    x = np.ones((64, 5, 6), "float32")
    model = keras.Sequential(
        [
            keras.Input((5, 6)),
            layers.GaussianNoise(0.5),
            layers.GaussianDropout(0.3),
            layers.SpatialDropout1D(0.5),
            layers.GRU(4, dropout=0.2, recurrent_dropout=0.2),
            layers.ActivityRegularization(l2=0.01),
            layers.Dense(1),
        ]
    )
    np.testing.assert_allclose(  # inference: the noise layers are the identity
        model.predict(x, verbose=0),
        keras.Sequential([keras.Input((5, 6)), *model.layers[3:]]).predict(
            x, verbose=0
        ),
        rtol=1e-6,
    )
    model.compile("adam", "mse")
    history = model.fit(x, np.zeros((64, 1), "float32"), epochs=2, verbose=0)
    assert all(np.isfinite(history.history["loss"]))
    from kconform.framework.layers._context import CallContext, call_context

    spatial = layers.SpatialDropout2D(0.5)
    with call_context(CallContext(True, model.engine)):
        out = ops.convert_to_numpy(
            spatial(np.ones((4, 3, 3, 8), "float32"), training=True)
        )
    # whole channels dropped: each (sample, channel) is all 0 or all 2
    per_channel = out.reshape(4, 9, 8)
    assert np.all((per_channel == 0).all(1) | (per_channel == 2).all(1))
    noisy = layers.GaussianNoise(1.0)
    with call_context(CallContext(True, model.engine)):
        sample = ops.convert_to_numpy(
            noisy(np.zeros((4000,), "float32"), training=True)
        )
    assert abs(sample.std() - 1.0) < 0.05 and abs(sample.mean()) < 0.05


LOSSES = [
    ("MeanAbsolutePercentageError", {}),
    ("MeanSquaredLogarithmicError", {}),
    ("CosineSimilarity", {}),
    ("LogCosh", {}),
    ("Hinge", {}),
    ("SquaredHinge", {}),
    ("CategoricalHinge", {}),
    ("KLDivergence", {}),
    ("Poisson", {}),
    ("BinaryFocalCrossentropy", {}),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "from_logits": True}),
]


@pytest.mark.parametrize("name, kwargs", LOSSES)
def test_more_losses_and_metrics_match_keras(
    backend: Any, real_keras: Any, name: str, kwargs: dict[str, Any]
) -> None:
    keras.config.set_backend(backend)
    rng = np.random.default_rng(5)
    y_true = (rng.random((12, 4)) > 0.5).astype("float32")
    y_pred = rng.random((12, 4)).astype("float32")
    weight = rng.random(12).astype("float32")
    ref = getattr(real_keras.losses, name)(**kwargs)
    ours = getattr(keras.losses, name)(**kwargs)
    for w in (None, weight):
        expected = float(ref(y_true, y_pred, sample_weight=w))
        got = float(ops.convert_to_numpy(ours(y_true, y_pred, sample_weight=w)))
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-6), w
    metric_name = {"LogCosh": "LogCoshError"}.get(name, name)
    if kwargs or not hasattr(real_keras.metrics, metric_name):
        return
    ref_m, ours_m = (
        getattr(real_keras.metrics, metric_name)(),
        getattr(keras.metrics, metric_name)(),
    )
    ref_m.update_state(y_true, y_pred, sample_weight=weight)
    ours_m.update_state(y_true, y_pred, sample_weight=weight)
    got = float(ops.convert_to_numpy(ours_m.result()))
    assert got == pytest.approx(float(ref_m.result()), rel=1e-5, abs=1e-6)


def test_top_k_accuracy_matches_keras(backend: Any, real_keras: Any) -> None:
    keras.config.set_backend(backend)
    rng = np.random.default_rng(9)
    scores = rng.random((20, 6)).astype("float32")
    scores[0] = 0.5  # ties: the target counts as in, as in Keras
    labels = rng.integers(0, 6, 20)
    for k in (1, 3):
        ref = real_keras.metrics.SparseTopKCategoricalAccuracy(k=k)
        ours = keras.metrics.SparseTopKCategoricalAccuracy(k=k)
        ref.update_state(labels, scores)
        ours.update_state(labels, scores)
        assert float(ops.convert_to_numpy(ours.result())) == pytest.approx(
            float(ref.result())
        )
        one_hot = np.eye(6, dtype="float32")[labels]
        ref = real_keras.metrics.TopKCategoricalAccuracy(k=k)
        ours = keras.metrics.TopKCategoricalAccuracy(k=k)
        ref.update_state(one_hot, scores)
        ours.update_state(one_hot, scores)
        assert float(ops.convert_to_numpy(ours.result())) == pytest.approx(
            float(ref.result())
        )


def test_utilities_keras_users_reach_for(
    backend: Any, real_keras: Any, tmp_path: Any
) -> None:
    keras.config.set_backend(backend)
    raw = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927], []]
    for kw in (
        {},
        {"padding": "post"},
        {"maxlen": 4, "truncating": "post"},
        {"value": -1},
    ):
        np.testing.assert_array_equal(
            keras.utils.pad_sequences(raw, **kw),
            real_keras.utils.pad_sequences(raw, **kw),
        )
    emb = layers.Embedding(50, 4, mask_zero=True)
    mask = ops.convert_to_numpy(emb.compute_mask(np.array([[1, 2, 0]])))
    assert mask.tolist() == [[True, True, False]]

    class Penalty(layers.Layer):
        def call(self, inputs: Any) -> Any:
            self.add_loss(ops.mean(inputs))
            return inputs

    class Outer(layers.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.inner = Penalty()

        def call(self, inputs: Any) -> Any:
            return self.inner(inputs)

    outer = Outer()
    outer(np.ones((2, 2), "float32"))
    assert len(outer.losses) == 1
    assert float(ops.convert_to_numpy(outer.losses[0])) == 1.0
    outer(np.zeros((2, 2), "float32"))
    assert len(outer.losses) == 1  # the last call's, as Keras

    class MyDense(layers.Dense):
        pass

    model = keras.Sequential([keras.Input((8,)), MyDense(2)])
    model.save(tmp_path / "c.keras")
    with pytest.raises(Exception, match="MyDense"):
        keras.models.load_model(tmp_path / "c.keras")
    with keras.saving.custom_object_scope({"MyDense": MyDense}):
        assert isinstance(
            keras.models.load_model(tmp_path / "c.keras").layers[0], MyDense
        )
    dense = keras.layers.deserialize(keras.layers.serialize(layers.Dense(3, name="d3")))
    assert dense.units == 3 and dense.name == "d3"
    opt = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(keras.optimizers.Adam(0.1))
    )
    assert isinstance(opt, keras.optimizers.Adam)
    assert float(opt.learning_rate) == pytest.approx(0.1)


@pytest.mark.parametrize(
    "make, data",
    [
        (
            lambda k: k.layers.CategoryEncoding(5, output_mode="one_hot"),
            [[0], [3], [4]],
        ),
        (lambda k: k.layers.CategoryEncoding(5, output_mode="one_hot"), [0, 3, 4]),
        (lambda k: k.layers.CategoryEncoding(5), [[0, 1, 1], [3, 4, 4]]),
        (
            lambda k: k.layers.CategoryEncoding(5, output_mode="count"),
            [[0, 1, 1], [3, 4, 4]],
        ),
        (lambda k: k.layers.CategoryEncoding(5, output_mode="count"), [1, 1, 4]),
        (lambda k: k.layers.Discretization(bin_boundaries=[-1.0, 0.0, 0.5]), VEC),
        (
            lambda k: k.layers.Discretization(
                bin_boundaries=[0.0, 1.0], output_mode="one_hot"
            ),
            VEC[:, 0],
        ),
        (lambda k: k.layers.Identity(), VEC),
    ],
)
def test_encoding_layers_match_keras(
    backend: Any, real_keras: Any, make: Any, data: Any
) -> None:
    keras.config.set_backend(backend)
    data = np.asarray(data)
    expected = np.asarray(make(real_keras)(data))
    got = ops.convert_to_numpy(make(keras)(data))
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_discretization_adapts_to_quantiles(backend: Any) -> None:
    keras.config.set_backend(backend)
    layer = layers.Discretization(num_bins=4)
    layer.adapt(np.arange(100, dtype="float32"))
    out = ops.convert_to_numpy(layer(np.array([0.0, 30.0, 60.0, 99.0], "float32")))
    assert out.tolist() == [0, 1, 2, 3]


def _minimal_cell(k: Any) -> Any:
    class MinimalRNNCell(k.layers.Layer):
        def __init__(self, units: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape: Any) -> None:
            self.kernel = self.add_weight(
                shape=(input_shape[-1], self.units),
                initializer="uniform",
                name="kernel",
            )
            self.recurrent_kernel = self.add_weight(
                shape=(self.units, self.units), initializer="uniform", name="rk"
            )

        def call(self, inputs: Any, states: Any) -> Any:
            h = k.ops.matmul(inputs, self.kernel)
            output = h + k.ops.matmul(states[0], self.recurrent_kernel)
            return output, [output]

    return MinimalRNNCell


def test_a_users_cell_runs_in_rnn_as_in_keras(backend: Any, real_keras: Any) -> None:
    def build(k: Any) -> Any:
        cell = _minimal_cell(k)
        return k.Sequential(
            [k.Input((5, 4)), k.layers.RNN([cell(3), cell(2)], return_state=True)]
        )

    ref, ours = _pair(real_keras, backend, build)
    got, expected = ours.predict(SEQ, verbose=0), ref.predict(SEQ, verbose=0)
    for g, x in zip(got, expected):
        np.testing.assert_allclose(g, np.asarray(x), rtol=2e-6, atol=1e-6)


def _k3_mixed(k: Any) -> Any:
    L = k.layers
    i = k.Input((5, 4))
    x = L.Bidirectional(L.LSTM(3, return_sequences=True))(i)
    x = L.MultiHeadAttention(2, 3)(x, x)
    x = L.TimeDistributed(L.Dense(2))(x)
    x = L.BatchNormalization()(x)
    x = L.RNN([L.GRUCell(2), L.GRUCell(2)])(x)
    return k.Model(i, L.Dense(1)(x))


def _k3_conv(k: Any) -> Any:
    L = k.layers
    return k.Sequential(
        [
            k.Input((6, 6, 2)),
            L.Conv2D(4, 3, padding="same", activation="relu"),
            L.MaxPooling2D(),
            L.Conv2DTranspose(2, 3, strides=2, padding="same"),
            L.Flatten(),
            L.Dropout(0.2),
            L.Dense(3, activation="softmax"),
        ]
    )


def _k3_text(k: Any) -> Any:
    L = k.layers
    tokens = k.Input((6,), dtype="int32")
    x = L.Embedding(10, 4, mask_zero=True)(tokens)
    x = L.GRU(3, return_sequences=True)(x)
    x = L.GlobalAveragePooling1D()(x)
    norm = L.Normalization()
    norm.adapt(np.arange(12, dtype="float32").reshape(4, 3))
    return k.Model(tokens, L.Dense(1, activation="sigmoid")(norm(x)))


KERAS_FILES = {
    "mixed": (_k3_mixed, SEQ, None),
    "conv": (_k3_conv, IMG, ("adam", "categorical_crossentropy", ["accuracy"])),
    "text": (_k3_text, TOKENS, ("sgd", "binary_crossentropy", None)),
}


@pytest.mark.parametrize("case", list(KERAS_FILES))
def test_models_saved_by_keras_load_and_predict_the_same(
    backend: Any, real_keras: Any, case: str, tmp_path: Any
) -> None:
    build, x, compiled = KERAS_FILES[case]
    ref = build(real_keras)
    if compiled:
        opt, loss, metrics = compiled
        ref.compile(optimizer=opt, loss=loss, metrics=metrics)
    path = tmp_path / f"{case}.keras"
    ref.save(path)
    keras.config.set_backend(backend)
    ours = keras.models.load_model(path)
    assert len(ours.weights) == len(ref.weights)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0),
        np.asarray(ref.predict(x, verbose=0)),
        rtol=1e-5,
        atol=1e-6,
    )
    if compiled:
        assert ours.optimizer is not None
        assert type(ours.optimizer).__name__.lower() == compiled[0]


def test_a_keras_file_kconform_cannot_rebuild_says_what(
    real_keras: Any, tmp_path: Any
) -> None:
    model = real_keras.Sequential(
        [real_keras.Input((4,)), real_keras.layers.Dense(2, lora_rank=2)]
    )
    model.save(tmp_path / "lora.keras")
    with pytest.raises(ValueError, match="lora_rank=2"):
        keras.models.load_model(tmp_path / "lora.keras")


@pytest.mark.parametrize("case", list(KERAS_FILES))
def test_models_kconform_saves_for_keras_load_in_keras(
    backend: Any, real_keras: Any, case: str, tmp_path: Any
) -> None:
    build, x, _ = KERAS_FILES[case]
    keras.config.set_backend(backend)
    ours = build(keras)
    path = tmp_path / f"{case}.keras"
    ours.save(path, format="keras3")
    ref = real_keras.models.load_model(path)
    expected = ours.predict(x, verbose=0)
    np.testing.assert_allclose(
        np.asarray(ref.predict(x, verbose=0)), expected, rtol=1e-5, atol=1e-6
    )
    again = keras.models.load_model(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), expected)


OPS = {
    "sort": (lambda o, x: o.sort(x, axis=1), [VEC]),
    "argsort": (lambda o, x: o.argsort(x, axis=0), [VEC]),
    "top_k": (lambda o, x: o.top_k(x, 3), [VEC]),
    "cumsum": (lambda o, x: o.cumsum(x, axis=1), [VEC]),
    "cumprod": (lambda o, x: o.cumprod(x, axis=0), [VEC[:4]]),
    "flip": (lambda o, x: o.flip(x, axis=1), [VEC]),
    "repeat": (lambda o, x: o.repeat(x, 2, axis=1), [VEC]),
    "tril-triu": (lambda o, x: o.tril(x, -1) + o.triu(x, 2), [VEC[:6, :6]]),
    "diag": (lambda o, x: o.diag(x[0], 1), [VEC]),
    "diag-of-matrix": (lambda o, x: o.diag(x[:, :6], -1), [VEC]),
    "outer": (lambda o, x: o.outer(x[0], x[1]), [VEC]),
    "linspace": (lambda o, x: o.linspace(0.0, 1.0, 7), [VEC]),
    "meshgrid": (lambda o, x: o.meshgrid(x[0, :3], x[1, :4]), [VEC]),
    "log-sigmoid-selu": (lambda o, x: o.log_sigmoid(x) + o.selu(x), [VEC]),
    "binary-crossentropy": (
        lambda o, x: o.binary_crossentropy((x > 0) * 1.0, o.sigmoid(x)),
        [VEC],
    ),
    "categorical-crossentropy": (
        lambda o, x: o.categorical_crossentropy(o.one_hot(o.argmax(x, -1), 8), x, True),
        [VEC],
    ),
    "sparse-categorical-crossentropy": (
        lambda o, x: o.sparse_categorical_crossentropy(o.argmax(x, -1), x, True),
        [VEC],
    ),
    "control-flow": (
        lambda o, x: o.fori_loop(
            0, 3, lambda i, v: v * 2.0, o.cond(True, lambda: x, lambda: -x)
        ),
        [VEC],
    ),
    "vectorized-map": (lambda o, x: o.vectorized_map(lambda r: o.sum(r), x), [VEC]),
}


@pytest.mark.parametrize("case", list(OPS))
def test_more_ops_match_keras(backend: Any, real_keras: Any, case: str) -> None:
    fn, args = OPS[case]
    keras.config.set_backend(backend)
    expected = fn(real_keras.ops, *args)
    got = fn(ops, *args)
    exp_leaves = expected if isinstance(expected, (list, tuple)) else [expected]
    got_leaves = got if isinstance(got, (list, tuple)) else [got]
    assert len(exp_leaves) == len(got_leaves)
    for g, x in zip(got_leaves, exp_leaves):
        np.testing.assert_allclose(
            ops.convert_to_numpy(g), np.asarray(x), rtol=2e-6, atol=1e-6
        )


def test_while_loop_runs_as_keras(backend: Any) -> None:
    keras.config.set_backend(backend)
    i, total = ops.while_loop(lambda i, t: i < 5, lambda i, t: (i + 1, t + i), (0, 0))
    assert (int(i), int(total)) == (5, 10)


def test_ops_and_operators_on_symbolic_tensors_build_the_graph(
    backend: Any, real_keras: Any, tmp_path: Any
) -> None:
    def build(k: Any) -> Any:
        i = k.Input((8,))
        x = k.layers.Dense(4)(i)
        y = k.ops.concatenate([x * 2.0 + 1.0, 1.0 - i[:, :4], k.ops.relu(-x)], axis=-1)
        pooled = k.ops.mean(y, axis=-1, keepdims=True) / 3.0
        return k.Model(i, [y, y[:, 0], pooled, abs(x) ** 2.0])

    ref, ours = _pair(real_keras, backend, build)
    got, expected = ours.predict(VEC, verbose=0), ref.predict(VEC, verbose=0)
    for g, x in zip(got, expected):
        np.testing.assert_allclose(g, np.asarray(x), rtol=2e-6, atol=1e-6)
    ours.save(tmp_path / "ops.keras")
    again = keras.models.load_model(tmp_path / "ops.keras")
    for g, x in zip(again.predict(VEC, verbose=0), got):
        np.testing.assert_array_equal(g, x)
    with pytest.raises(Exception, match="ops.concatenate|ops.add|ops.multiply"):
        ours.save(tmp_path / "k.keras", format="keras3")


def test_small_apis_keras_users_call(backend: Any, real_keras: Any) -> None:
    keras.config.set_backend(backend)
    v = keras.Variable(np.ones(3, "float32"))
    keras.optimizers.Adam(0.1).apply_gradients([(np.ones(3, "float32"), v)])
    ref = real_keras.Variable(np.ones(3, "float32"))
    real_keras.optimizers.Adam(0.1).apply_gradients([(np.ones(3, "float32"), ref)])
    np.testing.assert_allclose(v.numpy(), np.asarray(ref), rtol=1e-6)
    assert keras.config.image_data_format() == "channels_last"
    assert keras.backend.image_data_format() == "channels_last"
    with pytest.raises(ValueError, match="channels_last"):
        keras.config.set_image_data_format("channels_first")
    keras.mixed_precision.set_global_policy("float32")
    with pytest.raises(ValueError, match="Mixed-precision"):
        keras.mixed_precision.set_global_policy("mixed_float16")
    np.testing.assert_allclose(
        keras.utils.normalize(VEC), real_keras.utils.normalize(VEC), rtol=1e-6
    )


@pytest.mark.parametrize(
    "name",
    [
        "mean_squared_error",
        "mean_absolute_error",
        "huber",
        "binary_crossentropy",
        "categorical_crossentropy",
        "log_cosh",
        "kl_divergence",
        "poisson",
    ],
)
def test_loss_functions_take_arrays_as_keras_does(
    backend: Any, real_keras: Any, name: str
) -> None:
    keras.config.set_backend(backend)
    rng = np.random.default_rng(4)
    y_true = rng.random((5, 3))  # float64 arrays, as users pass them
    y_pred = rng.random((5, 3))
    got = ops.convert_to_numpy(getattr(keras.losses, name)(y_true, y_pred))
    expected = np.asarray(getattr(real_keras.losses, name)(y_true, y_pred))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


SHAPED = {
    "f1-none": ("F1Score", {}),
    "f1-macro-threshold": ("F1Score", {"average": "macro", "threshold": 0.4}),
    "fbeta-micro": ("FBetaScore", {"average": "micro", "beta": 2.0}),
    "fbeta-weighted": ("FBetaScore", {"average": "weighted", "beta": 0.5}),
    "r2-uniform": ("R2Score", {}),
    "r2-variance-weighted": (
        "R2Score",
        {"class_aggregation": "variance_weighted_average"},
    ),
    "r2-adjusted": ("R2Score", {"num_regressors": 2}),
}


@pytest.mark.parametrize("case", list(SHAPED))
def test_per_class_metrics_match_keras(
    backend: Any, real_keras: Any, case: str
) -> None:
    name, kwargs = SHAPED[case]
    keras.config.set_backend(backend)
    ref, ours = (
        getattr(real_keras.metrics, name)(**kwargs),
        getattr(keras.metrics, name)(**kwargs),
    )
    rng = np.random.default_rng(8)
    for batch in range(3):
        y = np.eye(4, dtype="float32")[rng.integers(0, 4, 10)]
        p = rng.random((10, 4)).astype("float32")
        if name == "R2Score":
            y = y + rng.normal(size=y.shape).astype("float32")
        w = rng.random(10).astype("float32") if batch == 1 else None
        ref.update_state(y, p, sample_weight=w)
        ours.update_state(y, p, sample_weight=w)
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours.result()),
        np.asarray(ref.result()),
        rtol=1e-5,
        atol=1e-6,
    )


def test_per_class_metrics_build_in_compile(backend: Any) -> None:
    keras.config.set_backend(backend)
    y = np.eye(3, dtype="float32")[np.arange(12) % 3]
    model = keras.Sequential([keras.Input((8,)), layers.Dense(3, activation="softmax")])
    model.compile(
        "adam",
        "categorical_crossentropy",
        metrics=[keras.metrics.F1Score(average="macro"), "r2_score"],
    )
    history = model.fit(np.tile(VEC, (2, 1)), y, epochs=2, batch_size=4, verbose=0)
    assert {"f1_score", "r2_score"} <= set(history.history)
