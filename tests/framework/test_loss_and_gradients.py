"""`training_utils.loss_and_gradients`: the harness's gradient probe changes nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fw_data import mnist_like

import kconform.framework as keras
from kconform.framework import layers
from kconform.framework.training_utils import loss_and_gradients


def _model(backend: Any, *extra: Any) -> Any:
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(8, activation="relu"),
            *extra,
            layers.Dense(10),
        ],
        backend=backend,
    )
    model.compile(
        optimizer=keras.optimizers.SGD(1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def test_gradients_are_the_step_sgd_takes(backend: Any) -> None:
    """With SGD(1.0), one training step moves each weight by exactly its gradient."""
    x, y = mnist_like(16)
    model = _model(backend)
    before = model.get_weights()
    loss, grads = loss_and_gradients(model, x, y)
    assert [g.shape for g in grads] == [w.shape for w in before]
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)  # nothing changed
    assert int(model.optimizer.iterations.numpy()) == 0
    reported = model.train_on_batch(x, y)
    assert reported == pytest.approx(loss, rel=1e-6)
    for w, b, g in zip(model.get_weights(), before, grads):
        np.testing.assert_allclose(w, b - g, rtol=1e-5, atol=1e-6)


def test_moving_statistics_and_masks(backend: Any) -> None:
    """BatchNormalization's moving statistics stay; the dropout masks follow `seed`."""
    x, y = mnist_like(16)
    model = _model(backend, layers.BatchNormalization(), layers.Dropout(0.5))
    moving = [v.numpy().copy() for v in model.non_trainable_variables]
    first = loss_and_gradients(model, x, y, seed=3)
    again = loss_and_gradients(model, x, y, seed=3)
    other = loss_and_gradients(model, x, y, seed=4)
    for v, m in zip(model.non_trainable_variables, moving):
        np.testing.assert_array_equal(v.numpy(), m)
    assert first[0] == again[0] and first[0] != other[0]
    for a, b in zip(first[1], again[1]):
        np.testing.assert_array_equal(a, b)


def test_refuses_a_generator(backend: Any) -> None:
    x, y = mnist_like(16)
    model = _model(backend)
    with pytest.raises(ValueError, match="one batch as arrays"):
        loss_and_gradients(model, ((x, y) for _ in range(1)), None)
