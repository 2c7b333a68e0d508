"""Callbacks: EarlyStopping, ModelCheckpoint, learning-rate callbacks, logging."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fw_data import mnist_like

import kconform.framework as keras
from kconform.framework import layers


def model_for(backend: Any, lr: float = 0.01) -> Any:
    model = keras.Sequential(
        [keras.Input((784,)), layers.Dense(8, activation="relu"), layers.Dense(10)],
        backend=backend,
    )
    model.compile(
        keras.optimizers.Adam(lr),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def test_early_stopping_stops_and_restores_best(backend: Any) -> None:
    x, y = mnist_like(96)
    vx, vy = mnist_like(
        32, seed=11
    )  # unrelated labels: val_loss rises as the model overfits
    model = model_for(backend, lr=0.05)
    best: dict[str, Any] = {}

    class Spy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if not best or logs["val_loss"] < best["loss"]:
                best.update(
                    loss=logs["val_loss"], weights=self.model.get_weights(), epoch=epoch
                )

    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=2, restore_best_weights=True
    )
    history = model.fit(
        x,
        y,
        epochs=30,
        batch_size=16,
        validation_data=(vx, vy),
        callbacks=[Spy(), stop],
        verbose=0,
    )
    epochs_run = len(history.history["loss"])
    assert epochs_run < 30, "EarlyStopping should have stopped training"
    assert stop.stopped_epoch == epochs_run - 1 and stop.best_epoch == best["epoch"]
    assert epochs_run == best["epoch"] + 3  # patience 2 after the best epoch
    for w, b in zip(model.get_weights(), best["weights"]):
        np.testing.assert_array_equal(w, b)


def test_early_stopping_mode_and_baseline() -> None:
    assert keras.callbacks.EarlyStopping(monitor="val_accuracy").mode == "max"
    assert keras.callbacks.EarlyStopping(monitor="loss").mode == "min"
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        keras.callbacks.EarlyStopping(monitor="val_my_quantity")


@pytest.mark.needs_backend("numpy")
def test_model_checkpoint_save_best_only(backend: Any, tmp_path: Any) -> None:
    x, y = mnist_like(64)
    model = model_for(backend)
    saved: list[float] = []

    class Track(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            saved.append(logs["val_loss"])

    path = tmp_path / "ckpt-{epoch:02d}.keras"
    ckpt = keras.callbacks.ModelCheckpoint(
        str(path), monitor="val_loss", save_best_only=True
    )
    model.fit(
        x, y, epochs=4, validation_split=0.25, callbacks=[Track(), ckpt], verbose=0
    )
    files = sorted(p.name for p in tmp_path.iterdir())
    improving = [i for i, v in enumerate(saved) if v == min(saved[: i + 1])]
    assert files == [f"ckpt-{i + 1:02d}.keras" for i in improving]
    best = keras.models.load_model(tmp_path / files[-1])
    assert best.evaluate(x[48:], y[48:], verbose=0)[0] == pytest.approx(
        min(saved), rel=1e-5
    )
    weights = tmp_path / "w.weights.h5"
    keras.callbacks.ModelCheckpoint(str(weights), save_weights_only=True).set_model(
        model
    )
    with pytest.raises(ValueError, match="must end in `.keras`"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "x.pkl"))


def test_learning_rate_callbacks(backend: Any) -> None:
    x, y = mnist_like(32)
    model = model_for(backend, lr=0.1)
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    model.fit(x, y, epochs=3, callbacks=[sched], verbose=0)
    lr = float(model.optimizer.learning_rate)
    assert lr == pytest.approx(0.1 * 0.5**3, rel=1e-6)
    model.optimizer.learning_rate = 0.2
    plateau = keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=0, min_delta=10.0
    )
    model.fit(x, y, epochs=2, callbacks=[plateau], verbose=0)
    lr = float(model.optimizer.learning_rate)
    assert lr == pytest.approx(0.1, rel=1e-6)  # epoch 0 sets the best


def test_lambda_csv_and_batch_hooks(backend: Any, tmp_path: Any) -> None:
    x, y = mnist_like(48)
    model = model_for(backend)
    batches: list[int] = []
    cb = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batches.append(batch)
    )
    log = tmp_path / "log.csv"
    model.fit(
        x,
        y,
        epochs=2,
        batch_size=16,
        callbacks=[cb, keras.callbacks.CSVLogger(str(log))],
        verbose=0,
    )
    assert batches == [0, 1, 2, 0, 1, 2]
    rows = log.read_text().splitlines()
    assert rows[0] == "epoch,accuracy,loss" and len(rows) == 3


def test_terminate_on_nan(backend: Any) -> None:
    """As in Keras: training stops at the first non-finite batch loss, no error;
    without the callback a diverging fit raises NonFiniteLossError."""
    x, y = mnist_like(32)
    model = model_for(backend, lr=1e30)
    x[0, 0] = np.inf
    history = model.fit(
        x,
        y,
        epochs=5,
        batch_size=8,
        callbacks=[keras.callbacks.TerminateOnNaN()],
        verbose=0,
    )
    assert model.stop_training
    assert len(history.history["loss"]) == 1
    assert not np.isfinite(history.history["loss"][0])
    with pytest.raises(keras.NonFiniteLossError):
        model.fit(x, y, epochs=5, batch_size=8, verbose=0)
