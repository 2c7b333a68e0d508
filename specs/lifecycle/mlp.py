"""The seeds' MNIST MLP (784-64-10), and a save/load round trip of it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._scenario import SEED, Scenario, Stage, check, learnable_data
from ._standard import standard_stages

__all__ = ["MLP", "ROUNDTRIP"]


def _keras() -> Any:
    import kconform.framework as keras

    return keras


# -- the seeds' MLP (784-64-10, RMSprop, sparse crossentropy from logits) --------------
def _mlp(backend: Any) -> Any:
    keras = _keras()
    inputs = keras.Input(shape=(784,))
    x = keras.layers.Dense(64, activation="relu")(inputs)
    outputs = keras.layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="my_model", backend=backend)


def _mlp_compile(model: Any) -> None:
    keras = _keras()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )


def _mlp_data() -> dict[str, Any]:
    x, y = learnable_data(448, (784,), 10, seed=1)
    return {"x": x[:384], "y": y[:384], "x_test": x[384:], "y_test": y[384:]}


MLP = Scenario(
    "mlp",
    standard_stages(
        "mlp",
        _mlp,
        _mlp_compile,
        _mlp_data,
        {"batch_size": 64, "epochs": 2, "validation_split": 0.1666667},
        ["loss", "accuracy", "val_loss", "val_accuracy"],
        min_improvement=0.05,
    ),
    "The seeds' MNIST MLP: functional 784-64-10, RMSprop, validation_split.",
)


# -- save/load round trip across formats and backends ----------------------------------
def _rt_create(ctx: Any) -> None:
    keras = _keras()
    keras.utils.set_random_seed(SEED)
    model = _mlp(ctx.backend)
    _mlp_compile(model)
    d = _mlp_data()
    model.fit(d["x"][:128], d["y"][:128], epochs=1, batch_size=32, verbose=0)
    ctx.state.update(
        model=model, data=d, expected=model.predict(d["x_test"], verbose=0)
    )


def _load_targets(backend: Any) -> list[Any]:
    """The backend under test, and NumPy's when it is installed (a cross-backend load).

    A third-party author may have only their own backend installed: then the
    file is loaded back on it alone.
    """
    import kconform

    targets = [backend]
    if backend.name != "numpy":
        try:
            targets.append(kconform.load_backend("numpy"))
        except kconform.UnknownBackendError:
            pass
    return targets


def _rt_formats(ctx: Any) -> None:
    keras = _keras()
    s = ctx.state
    for ext in ("keras", "h5"):
        path = ctx.tmp_path / f"roundtrip.{ext}"
        s["model"].save(path)
        for target in _load_targets(ctx.backend):
            loaded = keras.models.load_model(path, backend=target)
            got = loaded.predict(s["data"]["x_test"], verbose=0)
            err = float(np.max(np.abs(got - s["expected"])))
            name = target if isinstance(target, str) else target.name
            check(
                err <= 1e-5,
                f".{ext} saved on {ctx.backend.name}, loaded on {name}: predictions "
                f"differ by {err}",
            )
            check(
                int(loaded.optimizer.iterations.numpy()) == 4,
                f".{ext}: optimizer state not restored",
            )


def _rt_continue(ctx: Any) -> None:
    """Training resumed from a file matches training that was never interrupted."""
    keras = _keras()
    s, d = ctx.state, ctx.state["data"]
    path = ctx.tmp_path / "roundtrip.keras"
    resumed = keras.models.load_model(path, backend=ctx.backend)
    for model in (s["model"], resumed):
        model.fit(
            d["x"][128:256],
            d["y"][128:256],
            epochs=1,
            batch_size=32,
            verbose=0,
            shuffle=False,
        )
    for a, b in zip(resumed.get_weights(), s["model"].get_weights()):
        check(
            np.allclose(a, b, rtol=1e-5, atol=1e-6),
            "weights after resumed training differ from uninterrupted training",
        )


ROUNDTRIP = Scenario(
    "save_load",
    [
        Stage("create", _rt_create),
        Stage("formats", _rt_formats),
        Stage("resume", _rt_continue),
    ],
    ".keras and .h5 saved on the backend under test load on it and on numpy, and "
    "training resumes.",
)
