"""Helpers of the training loops: argument checks, data preparation, error reports."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from kconform.errors import KconformError

from . import _tree
from . import losses as losses_module
from ._engine import active_engine
from .data_adapter import ArrayData, make_data, split_validation

__all__ = [
    "NonFiniteLossError",
    "check_finite",
    "check_labels",
    "fit_data",
    "jit_by_default",
    "loss_and_gradients",
    "verbose_level",
]


class NonFiniteLossError(KconformError, FloatingPointError):
    """The training loss became NaN or infinite."""


def verbose_level(value: Any) -> int:
    if value == "auto":
        return 1
    if value not in (0, 1, 2, True, False):
        raise ValueError(
            "Received an invalid value for `verbose`, expected 0, 1, 2 or 'auto'. "
            f"Received: verbose={value!r}"
        )
    return int(value)


def jit_by_default(engine: Any) -> bool:
    """Whether ``jit_compile="auto"`` compiles on this backend.

    ``KCONFORM_JIT=0`` or ``1`` decides for every backend. Otherwise a backend
    may say so with ``"jit_by_default"`` in its ``backend_info``; without it,
    compilation is on, except for PyTorch-based backends, where, as in Keras 3,
    ``torch.compile`` is opt-in (its compile time dwarfs small models' steps).
    """
    env = os.environ.get("KCONFORM_JIT", "auto").strip().lower()
    if env in ("0", "false", "no"):
        return False
    if env in ("1", "true", "yes"):
        return True
    info = engine.b.info
    if "jit_by_default" in info:
        return bool(info["jit_by_default"])
    return info.get("framework") != "torch"


def check_finite(logs: dict[str, float], epoch: int, data: Any) -> None:
    loss = logs.get("loss")
    if loss is None or math.isfinite(loss):
        return
    hint = ""
    if isinstance(data, ArrayData):
        for name, s in (("x", data.x), ("y", data.y)):
            if any(
                a.dtype.kind == "f" and not np.isfinite(a).all()
                for a in _tree.flatten(s)
            ):
                hint = (
                    f" Your `{name}` contains NaN or infinite values: clean the data"
                    " first."
                )
    raise NonFiniteLossError(
        f"The training loss became {loss} in epoch {epoch + 1}.{hint} Usual causes: a "
        "learning rate too high (try a smaller `learning_rate` or `clipnorm=1.0`), "
        "probabilities fed to a loss with `from_logits=True` (or logits without it), "
        "or "
        "inputs that are not normalized."
    )


def _apply_class_weight(data: Any, class_weight: dict[int, float]) -> Any:
    if not isinstance(data, ArrayData) or isinstance(data.y, (list, dict)):
        raise ValueError(
            "`class_weight` is only supported for a single output given as an array."
        )
    y = np.asarray(data.y)
    labels = (
        np.argmax(y, axis=-1)
        if y.ndim > 1 and y.shape[-1] > 1
        else y.reshape(len(y), -1)[:, 0]
    )
    missing = set(np.unique(labels).astype(int).tolist()) - set(
        int(k) for k in class_weight
    )
    if missing:
        raise ValueError(
            "`class_weight` must contain all classes in the data. The classes "
            f"{sorted(missing)} exist in the data but not in `class_weight`."
        )
    weights = np.asarray([class_weight[int(c)] for c in labels], dtype="float32")
    if data.sample_weight is not None:
        weights = weights * np.asarray(data.sample_weight, dtype="float32")
    return ArrayData(data.x, data.y, weights, data.batch_size, data.shuffle)


def _validation_adapter(
    validation_data: Any, batch_size: int | None, steps: int | None, engine: Any
) -> Any:
    if isinstance(validation_data, tuple):
        if len(validation_data) not in (2, 3):
            raise ValueError(
                "`validation_data` should be a tuple `(x_val, y_val)` or "
                "`(x_val, y_val, val_sample_weight)`. Received a tuple of length "
                f"{len(validation_data)}."
            )
        vx, vy = validation_data[0], validation_data[1]
        vsw = validation_data[2] if len(validation_data) == 3 else None
        return make_data(vx, vy, vsw, batch_size, False, steps, engine)
    if isinstance(validation_data, list):
        raise ValueError(
            "`validation_data` should be a tuple `(x_val, y_val)`, not a list."
        )
    return make_data(validation_data, None, None, None, False, steps, engine)


def check_labels(model: Any, y: Any) -> None:
    """Catch out-of-range integer labels of sparse crossentropy on the host."""
    if y is None:
        return
    shapes = getattr(model, "outputs", [])
    targets = model._flat_targets(y)
    for fn, target, out in zip(model._compile_loss.losses, targets, shapes):
        if not isinstance(fn, losses_module.LossFunctionWrapper) or (
            fn.fn is not losses_module.sparse_categorical_crossentropy
        ):
            continue
        classes = out.shape[-1]
        arr = np.asarray(target)
        if arr.size and classes and (arr.min() < 0 or arr.max() >= classes):
            bad = arr.min() if arr.min() < 0 else arr.max()
            raise ValueError(
                f"Received a label value of {bad} which is outside the valid range "
                f"of [0, {classes - 1}] for output '{fn.name}' with {classes} "
                "classes. Check your labels, or the units of the output layer."
            )


def _check_int(value: Any, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an integer >= {low}. "
            f"Received: {name}={value!r}"
        )


def fit_data(engine: Any, x: Any, y: Any, kw: dict[str, Any]) -> tuple[Any, Any]:
    """The training data and the validation data (or None) of a ``fit`` call."""
    _check_int(kw["epochs"], "epochs", 0)
    _check_int(kw["initial_epoch"], "initial_epoch", 0)
    _check_int(kw["validation_freq"], "validation_freq", 1)
    split, validation_data = kw["validation_split"], kw["validation_data"]
    if not 0.0 <= split < 1.0:
        raise ValueError(
            f"`validation_split` must be in [0, 1). Received: validation_split={split}"
        )
    data = make_data(x, y, kw["sample_weight"], kw["batch_size"], kw["shuffle"],
                     kw["steps_per_epoch"], engine)  # fmt: skip
    if split and validation_data is None:
        if not isinstance(data, ArrayData):
            raise ValueError(
                "`validation_split` is only supported for array inputs, not "
                "generators or datasets."
            )
        (tx, ty, tsw), validation_data = split_validation(
            data.x, data.y, data.sample_weight, split
        )
        data = ArrayData(tx, ty, tsw, data.batch_size, kw["shuffle"])
    if isinstance(data, ArrayData) and data.y is None:
        raise ValueError("Received `y=None` for array inputs; `fit` needs targets.")
    if kw["class_weight"] is not None:
        data = _apply_class_weight(data, kw["class_weight"])
    val = None
    if validation_data is not None:
        default = data.batch_size if isinstance(data, ArrayData) else None
        batch_size = kw["validation_batch_size"] or default
        val = _validation_adapter(
            validation_data, batch_size, kw["validation_steps"], engine
        )
    return data, val


def loss_and_gradients(
    model: Any, x: Any, y: Any, sample_weight: Any = None, *, seed: int = 0
) -> tuple[float, list[np.ndarray]]:
    """The training loss of one batch and its gradients, changing no state.

    Not Keras API: the harness uses it to compare gradients across backends
    (lifecycle parity, "gradients at step 0"). ``x``/``y`` (and
    ``sample_weight``) are taken as one batch, whole. The loss is the one
    ``fit`` differentiates (compiled losses, loss weights, regularizers,
    training mode), computed by the backend's ``value_and_grad`` at the
    model's current weights. Dropout masks are drawn on the host from
    ``np.random.default_rng(seed)``, so they are the same on every backend.
    Nothing is updated: weights, non-trainable variables (BatchNormalization's
    moving statistics), optimizer and metrics keep their values.

    Returns:
        ``(loss, gradients)``: the loss as a float and one NumPy array per
        trainable variable, in ``model.trainable_variables`` order.
    """
    model._assert_compiled()
    engine = model.engine
    data = make_data(x, y, sample_weight, None, False, None, engine)
    if not isinstance(data, ArrayData):
        raise ValueError(
            "`loss_and_gradients` takes one batch as arrays (`x`, `y`), not a "
            f"generator or dataset. Received: x of type {type(x).__name__}"
        )
    data.batch_size = data.num_samples or 1
    first = data.first_batch()
    steps = model._prepare(first)
    xb, yb, swb = model._to_device(first)
    masks = steps.masks(xb, np.random.default_rng(seed))
    batch = (xb, yb, masks) if swb is None else (xb, yb, masks, swb)
    tv, ntv, _, _ = steps.read_state()
    with active_engine(engine):
        (loss, _), grads = steps._vg(tv, ntv, batch)
    return (
        float(np.asarray(engine.numpy(loss))),
        [np.asarray(engine.numpy(g)) for g in grads],
    )
