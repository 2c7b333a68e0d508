"""``keras.optimizers``: SGD, Adam, AdamW, RMSprop, Adagrad, learning-rate schedules."""

from __future__ import annotations

from typing import Any

from . import schedules
from .base import Optimizer
from .more_rules import Adadelta, Adamax, Lion, Nadam
from .rules import SGD, Adagrad, Adam, AdamW, RMSprop

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

ALL: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "adamax": Adamax,
    "nadam": Nadam,
    "adadelta": Adadelta,
    "lion": Lion,
}


def get(identifier: Any) -> Optimizer:
    """Resolve ``"adam"``, ``"rmsprop"``..., a config dict, or an Optimizer instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = ALL.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret optimizer identifier: {identifier!r}. Expected "
                "one "
                f"of {sorted(ALL)} or a `keras.optimizers.Optimizer` instance."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Expected a name "
        "such as 'adam' or a `keras.optimizers.Optimizer` instance."
    )


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Config dict ``{"class_name", "config"}`` of a built-in optimizer."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict[str, Any]) -> Optimizer:
    """Rebuild a built-in optimizer from :func:`serialize`'s output."""
    by_class = {cls.__name__: cls for cls in ALL.values()}
    cls = by_class.get(config.get("class_name", ""))
    if cls is None:
        raise ValueError(
            f"Unknown optimizer class in config: {config.get('class_name')!r}"
        )
    return cls.from_config(dict(config.get("config") or {}))
