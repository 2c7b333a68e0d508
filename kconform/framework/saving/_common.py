"""What both formats share: compile configs, weight lists, checks of declared arrays."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from kconform.errors import KconformError

from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module

__all__ = [
    "CorruptFileError",
    "assign_weights",
    "compile_config",
    "model_arrays",
    "parse_json",
    "recompile",
    "MAX_JSON_BYTES",
]

MAX_JSON_BYTES = 64 * 2**20
FORMAT_VERSION = 1


class CorruptFileError(KconformError, ValueError):
    """A model file is truncated, corrupt, hostile, or does not match its model."""


def parse_json(data: bytes, member: str, path: str) -> Any:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CorruptFileError(
            f"File '{path}': member '{member}' is not valid JSON ({exc})."
        ) from exc
    check_depth(value, path, f"member '{member}'")
    return value


def _loss_entry(spec: Any) -> Any:
    if spec is None or isinstance(spec, str):
        return spec
    if (
        isinstance(spec, losses_module.Loss)
        and type(spec).__name__ in losses_module.ALL_CLASSES
    ):
        return {"class_name": type(spec).__name__, "config": spec.get_config()}
    for name, fn in losses_module.ALL_FUNCTIONS.items():
        if fn is spec:
            return name
    raise TypeError(f"loss {spec!r} is not a built-in loss")


def _metric_entry(spec: Any) -> Any:
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, (list, tuple)):
        return [_metric_entry(s) for s in spec]
    if isinstance(spec, dict):
        return {k: _metric_entry(v) for k, v in spec.items()}
    if (
        isinstance(spec, metrics_module.Metric)
        and type(spec).__name__ in metrics_module._CLASSES
    ):
        return {"class_name": type(spec).__name__, "config": spec.get_config()}
    raise TypeError(f"metric {spec!r} is not a built-in metric")


def compile_config(model: Any) -> dict[str, Any] | None:
    """JSON-safe compile arguments; None unless all are built-ins (then not saved)."""
    if not model.compiled:
        return None
    cfg = model._compile_config
    try:
        loss = cfg["loss"]
        loss = (
            {k: _loss_entry(v) for k, v in loss.items()}
            if isinstance(loss, dict) and "class_name" not in loss
            else [_loss_entry(v) for v in loss]
            if isinstance(loss, (list, tuple))
            else _loss_entry(loss)
        )
        out = {
            "optimizer": optimizers_module.serialize(model.optimizer),
            "loss": loss,
            "loss_weights": cfg["loss_weights"],
            "metrics": _metric_entry(cfg["metrics"]),
        }
        json.dumps(out)
        return out
    except TypeError:
        return None


def _load_loss(entry: Any) -> Any:
    if isinstance(entry, dict) and "class_name" in entry:
        return losses_module.get(entry)
    return entry


def _load_metric(entry: Any) -> Any:
    if isinstance(entry, list):
        return [_load_metric(e) for e in entry]
    if isinstance(entry, dict) and "class_name" in entry and "config" in entry:
        cls = metrics_module._CLASSES.get(entry["class_name"])
        if cls is None:
            raise CorruptFileError(
                f"Unknown metric class in compile config: {entry['class_name']!r}"
            )
        return cls(**entry.get("config", {}))
    if isinstance(entry, dict):
        return {k: _load_metric(v) for k, v in entry.items()}
    return entry


def recompile(model: Any, config: dict[str, Any]) -> None:
    """Compile ``model`` as it was when saved."""
    loss = config.get("loss")
    loss = (
        {k: _load_loss(v) for k, v in loss.items()}
        if isinstance(loss, dict) and "class_name" not in loss
        else [_load_loss(v) for v in loss]
        if isinstance(loss, list)
        else _load_loss(loss)
    )
    model.compile(
        optimizer=optimizers_module.deserialize(config["optimizer"]),
        loss=loss,
        loss_weights=config.get("loss_weights"),
        metrics=_load_metric(config.get("metrics")),
    )


def model_arrays(
    model: Any, include_optimizer: bool
) -> tuple[list[tuple[str, np.ndarray]], list[tuple[str, np.ndarray]]]:
    """``(path, array)`` of every weight, and of every optimizer variable if asked."""
    weights = [(v.path, v.numpy()) for v in model.weights]
    opt: list[tuple[str, np.ndarray]] = []
    if include_optimizer and model.optimizer is not None and model.optimizer.built:
        opt = [(v.path, v.numpy()) for v in model.optimizer.variables]
    return weights, opt


def check_declared(
    path: str, what: str, shape: Any, dtype: Any, expected_shape: tuple[int, ...] | None
) -> None:
    """Reject object dtypes, absurd or mismatched shapes before reading any data."""
    if not isinstance(shape, (tuple, list)) or any(
        not isinstance(d, (int, np.integer)) or d < 0 for d in shape
    ):
        raise CorruptFileError(
            f"File '{path}': {what} declares an invalid shape {shape!r}."
        )
    dt = np.dtype(dtype)
    if dt.hasobject or dt.kind not in "fiub":
        raise CorruptFileError(
            f"File '{path}': {what} has dtype {dt}, which a weight cannot have (no "
            "object or string arrays are loaded)."
        )
    if expected_shape is not None and tuple(int(d) for d in shape) != tuple(
        expected_shape
    ):
        raise CorruptFileError(
            f"File '{path}': {what} has shape {tuple(int(d) for d in shape)} but the "
            "model "
            f"expects {tuple(expected_shape)}. The file does not match the model's "
            "architecture."
        )
    if math.prod(int(d) for d in shape) * dt.itemsize > 2**40:
        raise CorruptFileError(
            f"File '{path}': {what} declares {shape}, an implausibly large array."
        )


def assign_weights(
    model: Any, arrays: list[np.ndarray], path: str, skip_mismatch: bool = False
) -> None:
    """Set ``model``'s weights from ``arrays`` (file order); check count and shapes."""
    variables = model.weights
    if len(arrays) != len(variables):
        raise CorruptFileError(
            f"File '{path}' holds {len(arrays)} weight arrays but model "
            f"'{model.name}' has "
            f"{len(variables)} weights. The file was saved from a different "
            "architecture."
        )
    for var, arr in zip(variables, arrays):
        if tuple(arr.shape) != var.shape:
            if skip_mismatch:
                continue
            raise CorruptFileError(
                f"File '{path}': weight '{var.path}' expects shape {var.shape} but "
                "the file "
                f"holds shape {tuple(arr.shape)}."
            )
        var.assign(
            np.asarray(
                arr, dtype=np.dtype(var.dtype) if var.dtype != "bfloat16" else arr.dtype
            )
        )


def assign_optimizer(model: Any, arrays: list[np.ndarray]) -> None:
    """Restore optimizer state when the compiled optimizer matches what was saved."""
    opt = model.optimizer
    if opt is None or not arrays:
        return
    if not opt.built:
        opt._bind(model.engine)
        opt.build(model.trainable_variables)
    if len(arrays) != len(opt.variables) or any(
        tuple(a.shape) != v.shape for a, v in zip(arrays, opt.variables)
    ):
        return  # a different optimizer: start it fresh, as Keras does with a warning
    for var, arr in zip(opt.variables, arrays):
        var.assign(arr)


def check_target(filepath: Any, overwrite: bool) -> str:
    path = os.fspath(filepath)
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"File '{path}' exists and `overwrite=False`.")
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    return path


#: How deep a saved config may nest (a Sequential in a Model in ... a layer).
MAX_CONFIG_DEPTH = 100


def check_depth(value: Any, path: str, member: str) -> None:
    """Refuse JSON nested deeper than MAX_CONFIG_DEPTH (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise CorruptFileError(
                f"File '{path}': {member} nests deeper than {MAX_CONFIG_DEPTH} levels."
            )
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def budget_for(
    path: str,
    declared: list[tuple[tuple[int, ...], Any]],
    also: list[tuple[tuple[int, ...], Any]] = (),  # type: ignore[assignment]
) -> Any:
    """The allocation budget of the model's weights a file declares (``declared``:
    their (shape, dtype)s), refused if they and the file's other arrays
    (``also``: optimizer state) exceed ``max_load_bytes()`` (see _limits)."""
    from .._limits import AllocBudget, max_load_bytes

    sizes = [math.prod(int(d) for d in shape) for shape, _ in declared]
    nbytes = sum(
        math.prod(int(d) for d in shape) * np.dtype(dt).itemsize
        for shape, dt in [*declared, *also]
    )
    cap = max_load_bytes()
    if nbytes > cap:
        raise CorruptFileError(
            f"File '{path}' declares {nbytes} bytes of weights, more than the "
            f"{cap} bytes kconform loads (raise KCONFORM_MAX_LOAD_BYTES for a "
            "genuinely large model)."
        )
    return AllocBudget(per_weight=max(sizes, default=0), total=sum(sizes))


def rebuild(
    config: Any, build_shape: Any, budget: Any, custom_objects: Any, backend: Any
) -> Any:
    """The model of a saved ``config``, built (with ``build_shape`` when the
    config alone does not build it), every weight taken from ``budget``."""
    from .._engine import engine_for
    from .._limits import ALLOC_LIMIT
    from .serialization import deserialize_model

    token = ALLOC_LIMIT.set(budget)
    try:
        model = deserialize_model(config, custom_objects, backend=engine_for(backend).b)
        if not model.built and build_shape is not None:
            model.build(
                tuple(build_shape)
                if not isinstance(build_shape[0], list)
                else [tuple(s) for s in build_shape]
            )
    finally:
        ALLOC_LIMIT.reset(token)
    return model
