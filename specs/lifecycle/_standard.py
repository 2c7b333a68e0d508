"""The standard stages, create to load, each with its checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._scenario import (
    SEED,
    Stage,
    check,
    record,
    record_step0,
    same_initial_weights,
    step_losses_callback,
    train_size,
)

__all__ = ["standard_stages"]


def _keras() -> Any:
    import kconform.framework as keras

    return keras


def _flat(a: Any) -> list[np.ndarray]:
    return (
        list(a)
        if isinstance(a, (list, tuple))
        else list(a.values())
        if isinstance(a, dict)
        else [a]
    )


def standard_stages(
    name: str,
    build: Callable[[Any], Any],
    compile_model: Callable[[Any], None],
    data: Callable[[], dict[str, Any]],
    fit_kwargs: dict[str, Any],
    expect_keys: list[str],
    min_improvement: float = 0.0,
    accuracy_key: str | None = "accuracy",
    file_ext: str = "keras",
) -> list[Stage]:
    """The life-cycle of one model, each stage checked.

    Args:
        build: ``build(backend) -> model`` (draws weights from the host generator).
        compile_model: ``compile_model(model)``.
        data: ``{"x", "y", "x_test", "y_test"}`` arrays (deterministic).
        fit_kwargs: Extra ``fit`` arguments (``epochs``, ``batch_size``...).
        expect_keys: The keys ``History.history`` must have, sorted.
        min_improvement: How much the loss must drop from the first to the last epoch.
        accuracy_key: Key of the accuracy that ``predict`` must reproduce, or None.
        file_ext: ``"keras"`` or ``"h5"`` for the save/load stages.
    """

    def create(ctx: Any) -> None:
        keras = _keras()
        keras.utils.set_random_seed(SEED)
        model = build(ctx.backend)
        check(
            model.backend.name == ctx.backend.name,
            f"model bound to backend {model.backend.name!r}, expected "
            f"{ctx.backend.name!r}",
        )
        check(
            all(ctx.backend.is_tensor(v.value) for v in model.weights),
            "some weights are not tensors of the backend under test",
        )
        same_initial_weights(ctx, build, model)
        ctx.state["model"] = model
        ctx.state["data"] = data()
        record(ctx, "initial_weights", model.get_weights())

    def compile_(ctx: Any) -> None:
        model = ctx.state["model"]
        compile_model(model)
        check(model.compiled, "model.compiled is False after compile()")

    def fit(ctx: Any) -> None:
        keras = _keras()
        model, d = ctx.state["model"], ctx.state["data"]
        batch_size = fit_kwargs.get("batch_size", 32)
        record_step0(ctx, model, d["x"], d["y"], batch_size)
        n_train = train_size(
            len(_flat(d["x"])[0]), fit_kwargs.get("validation_split", 0.0)
        )
        steps = step_losses_callback(n_train, batch_size)
        keras.utils.set_random_seed(
            SEED + 1
        )  # same batch order and masks on every backend
        history = model.fit(
            d["x"], d["y"], verbose=0, callbacks=[steps], **fit_kwargs
        ).history
        check(
            sorted(history) == sorted(expect_keys),
            f"History keys {sorted(history)}, expected {sorted(expect_keys)}",
        )
        losses = history["loss"]
        check(np.isfinite(losses).all(), f"non-finite training losses: {losses}")
        check(
            losses[0] - losses[-1] >= min_improvement,
            f"training did not reduce the loss by {min_improvement}: per-epoch losses "
            f"{losses}",
        )
        per_epoch = -(-n_train // batch_size)
        check(
            len(steps.losses) == len(losses) * per_epoch,
            f"on_train_batch_end was called {len(steps.losses)} times, expected "
            f"{per_epoch} steps x {len(losses)} epochs",
        )
        record(ctx, "step_losses", np.asarray(steps.losses))
        record(ctx, "epoch_losses", [float(v) for v in losses])
        record(ctx, "history", {k: [float(v) for v in vs] for k, vs in history.items()})
        record(ctx, "final_weights", model.get_weights())

    def evaluate(ctx: Any) -> None:
        model, d = ctx.state["model"], ctx.state["data"]
        logs = model.evaluate(d["x_test"], d["y_test"], verbose=0, return_dict=True)
        check(
            list(logs)[0] == "loss" and all(np.isfinite(v) for v in logs.values()),
            f"evaluate returned {logs}",
        )
        as_list = model.evaluate(d["x_test"], d["y_test"], verbose=0)
        as_list = as_list if isinstance(as_list, list) else [as_list]
        check(
            np.allclose(as_list, list(logs.values()), rtol=1e-6),
            f"evaluate() list {as_list} differs from return_dict values "
            f"{list(logs.values())}",
        )
        ctx.state["eval"] = logs
        record(ctx, "evaluate", {k: float(v) for k, v in logs.items()})

    def predict(ctx: Any) -> None:
        model, d = ctx.state["model"], ctx.state["data"]
        pred = model.predict(d["x_test"], verbose=0, batch_size=16)
        outs = _flat(pred)
        n = len(_flat(d["x_test"])[0])
        check(
            all(o.shape[0] == n and np.isfinite(o).all() for o in outs),
            f"predict returned shapes {[o.shape for o in outs]} (expected {n} finite "
            "rows)",
        )
        if accuracy_key is not None:
            labels = _flat(d["y_test"])[0].reshape(n, -1)
            guess = (
                np.argmax(outs[0], axis=-1)
                if outs[0].shape[-1] > 1
                else (outs[0][:, 0] > 0.5)
            )
            acc = float(np.mean(guess == labels[:, 0]))
            expected = ctx.state["eval"][accuracy_key]
            check(
                abs(acc - expected) < 1e-6,
                f"accuracy from predict() is {acc}, evaluate() said {expected}",
            )
        ctx.state["predictions"] = outs
        record(ctx, "predictions", outs)

    def save(ctx: Any) -> None:
        path = ctx.tmp_path / f"{name}.{file_ext}"
        ctx.state["model"].save(path)
        check(
            path.exists() and path.stat().st_size > 0,
            f"model.save did not write {path}",
        )
        ctx.state["path"] = path

    def load(ctx: Any) -> None:
        keras = _keras()
        loaded = keras.models.load_model(ctx.state["path"], backend=ctx.backend)
        check(
            loaded.backend.name == ctx.backend.name,
            f"loaded on {loaded.backend.name!r}",
        )
        check(loaded.compiled, "the loaded model is not compiled (compile config lost)")
        d = ctx.state["data"]
        for i, (a, b) in enumerate(
            zip(
                _flat(loaded.predict(d["x_test"], verbose=0, batch_size=16)),
                ctx.state["predictions"],
            )
        ):
            err = float(np.max(np.abs(a - b)))
            check(
                err <= 1e-5 * max(1.0, float(np.max(np.abs(b)))),
                f"output {i} of the reloaded model differs by {err}",
            )

    return [
        Stage("create", create),
        Stage("compile", compile_),
        Stage("fit", fit),
        Stage("evaluate", evaluate),
        Stage("predict", predict),
        Stage("save", save),
        Stage("load", load),
    ]
