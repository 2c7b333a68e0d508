"""``model.summary()``: a table of layers, output shapes and parameter counts."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from typing import Any

__all__ = ["print_summary"]


def _size(n_scalars: int, itemsize: int = 4) -> str:
    size = float(n_scalars * itemsize)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"  # pragma: no cover


def _shape(layer: Any) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return "?"
    out = nodes[-1].outputs
    if isinstance(out, (list, tuple)):
        return ", ".join(str(t.shape) for t in out)
    return str(out.shape)


def _connections(layer: Any) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes or not nodes[0].input_tensors:
        return "-"
    return ", ".join(
        f"{t._node.layer.name}[0][{t._index}]"
        for t in nodes[0].input_tensors
        if t._node
    )


def print_summary(
    model: Any,
    line_length: int | None = None,
    print_fn: Callable[[str], Any] | None = None,
) -> None:
    """Print ``model``'s summary (Keras layout, plain characters)."""
    from .functional import Functional

    emit = print_fn or print
    functional = isinstance(model, Functional)
    layers = model._layers if functional else model.layers
    headers = ["Layer (type)", "Output Shape", "Param #"] + (
        ["Connected to"] if functional else []
    )
    rows = []
    for layer in layers:
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [f"{layer.name} ({type(layer).__name__})", _shape(layer), params]
        if functional:
            row.append(_connections(layer))
        rows.append(row)
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
        for i, h in enumerate(headers)
    ]
    total_width = min(
        sum(widths) + 3 * len(widths) + 1,
        line_length or shutil.get_terminal_size((120, 20)).columns,
    )
    del total_width

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(
                c.ljust(w) if i != 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths))
            )
            + " |"
        )

    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    emit(f'Model: "{model.name}"')
    emit(sep)
    emit(line(headers))
    emit(sep.replace("-", "="))
    for row in rows:
        emit(line(row))
    emit(sep)
    trainable = sum(math.prod(v.shape) for v in model.trainable_weights)
    non_trainable = sum(math.prod(v.shape) for v in model.non_trainable_weights)
    opt = model.optimizer
    optimizer_params = (
        sum(math.prod(v.shape) for v in opt.variables)
        if opt is not None and opt.built
        else 0
    )
    total = trainable + non_trainable + optimizer_params
    emit(f" Total params: {total:,} ({_size(total)})")
    emit(f" Trainable params: {trainable:,} ({_size(trainable)})")
    emit(f" Non-trainable params: {non_trainable:,} ({_size(non_trainable)})")
    if optimizer_params:
        emit(f" Optimizer params: {optimizer_params:,} ({_size(optimizer_params)})")
