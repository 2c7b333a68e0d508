"""Scenarios of a registered custom layer, and of EarlyStopping stopping early."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._scenario import (
    SEED,
    Scenario,
    Stage,
    check,
    learnable_data,
    record,
    record_step0,
    step_losses_callback,
)
from ._standard import standard_stages

__all__ = ["CUSTOM", "EARLY"]


def _keras() -> Any:
    import kconform.framework as keras

    return keras


# -- a model with a custom layer -------------------------------------------------------
def _custom_layer_class() -> type:
    keras = _keras()
    registry = keras.saving.get_custom_objects()
    if "lifecycle>ScaledDense" in registry:
        return registry["lifecycle>ScaledDense"]

    @keras.saving.register_keras_serializable(package="lifecycle")
    class ScaledDense(keras.layers.Layer):
        """``scale * (x @ w) + b`` with a learned scalar ``scale`` (custom layer)."""

        def __init__(self, units: int = 8, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape: Any) -> None:
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units),
                initializer="glorot_normal",
                name="w",
            )
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

        def call(self, inputs: Any) -> Any:
            ops = keras.ops
            return ops.add(ops.multiply(self.scale, ops.matmul(inputs, self.w)), self.b)

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "units": self.units}

    return ScaledDense


def _custom(backend: Any) -> Any:
    keras = _keras()
    scaled = _custom_layer_class()
    inputs = keras.Input((20,))
    h = keras.layers.Activation("gelu")(scaled(16)(inputs))
    return keras.Model(
        inputs,
        keras.layers.Dense(3, activation="softmax")(h),
        name="custom",
        backend=backend,
    )


def _custom_compile(model: Any) -> None:
    keras = _keras()
    model.compile(
        optimizer=keras.optimizers.AdamW(0.01),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )


def _custom_data() -> dict[str, Any]:
    x, y = learnable_data(160, (20,), 3, seed=6)
    onehot = np.eye(3, dtype="float32")[y]
    return {"x": x[:128], "y": onehot[:128], "x_test": x[128:], "y_test": y[128:]}


def _custom_stages() -> list[Stage]:
    stages = standard_stages(
        "custom_layer",
        _custom,
        _custom_compile,
        _custom_data,
        {"batch_size": 16, "epochs": 3},
        ["loss", "accuracy"],
        min_improvement=0.0,
    )
    # test labels are integers (for predict's accuracy check); evaluate uses one-hot
    return [
        Stage("evaluate", _custom_evaluate) if s.name == "evaluate" else s
        for s in stages
    ]


def _custom_evaluate(ctx: Any) -> None:
    model, d = ctx.state["model"], ctx.state["data"]
    onehot = np.eye(3, dtype="float32")[d["y_test"]]
    logs = model.evaluate(d["x_test"], onehot, verbose=0, return_dict=True)
    check(np.isfinite(list(logs.values())).all(), f"evaluate returned {logs}")
    scale = next(v for v in model.weights if v.path.endswith("/scale"))
    check(
        float(scale.numpy()) != 1.0, "the custom layer's scalar weight was not trained"
    )
    ctx.state["eval"] = logs
    record(ctx, "evaluate", {k: float(v) for k, v in logs.items()})


CUSTOM = Scenario(
    "custom_layer",
    _custom_stages(),
    "A registered custom Layer (build/add_weight/call with keras.ops), AdamW, saved "
    "and reloaded.",
)


# -- EarlyStopping stops early ---------------------------------------------------------
def _early_create(ctx: Any) -> None:
    keras = _keras()
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(1),
        ],
        name="early",
        backend=ctx.backend,
    )
    model.compile(keras.optimizers.Adam(0.05), "mse")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 10)).astype("float32")
    ctx.state.update(
        model=model,
        x=x,
        y=rng.standard_normal((40, 1)).astype("float32"),
        vx=rng.standard_normal((40, 10)).astype("float32"),
        vy=rng.standard_normal((40, 1)).astype("float32"),
    )


def _early_fit(ctx: Any) -> None:
    keras = _keras()
    s = ctx.state
    record_step0(ctx, s["model"], s["x"], s["y"], 8)
    steps = step_losses_callback(len(s["x"]), 8)
    keras.utils.set_random_seed(SEED + 1)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=2, restore_best_weights=True
    )
    history = (
        s["model"]
        .fit(
            s["x"],
            s["y"],
            epochs=50,
            batch_size=8,
            validation_data=(s["vx"], s["vy"]),
            callbacks=[stop, steps],
            verbose=0,
        )
        .history
    )
    val = history["val_loss"]
    check(
        len(val) < 50,
        f"EarlyStopping did not stop: ran all {len(val)} epochs (val_loss {val})",
    )
    best = int(np.argmin(val))
    check(
        len(val) == best + 3,
        f"stopped after {len(val)} epochs; the best was epoch {best + 1}, patience 2",
    )
    restored = s["model"].evaluate(s["vx"], s["vy"], verbose=0)
    check(
        abs(restored - val[best]) <= 1e-5 * max(1.0, abs(val[best])),
        f"restore_best_weights: val_loss {restored} after training, best epoch had "
        f"{val[best]}",
    )
    check(
        len(steps.losses) == 5 * len(val),
        f"on_train_batch_end was called {len(steps.losses)} times in {len(val)} "
        "epochs of 5 steps",
    )
    record(ctx, "step_losses", np.asarray(steps.losses))
    record(ctx, "epoch_losses", [float(v) for v in history["loss"]])
    record(ctx, "history", {k: [float(v) for v in vs] for k, vs in history.items()})
    record(ctx, "final_weights", s["model"].get_weights())


EARLY = Scenario(
    "early_stopping",
    [Stage("create", _early_create), Stage("fit", _early_fit)],
    "EarlyStopping(patience=2, restore_best_weights=True) stops an overfitting model "
    "early.",
)
