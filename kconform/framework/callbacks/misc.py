"""Small callbacks: LambdaCallback, TerminateOnNaN, LearningRateScheduler, CSVLogger."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import Callback

__all__ = ["CSVLogger", "LambdaCallback", "LearningRateScheduler", "TerminateOnNaN"]


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=fn)``."""

    def __init__(self, **hooks: Callable[..., Any]) -> None:
        super().__init__()
        for name, fn in hooks.items():
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise ValueError(f"Unknown callback hook for LambdaCallback: {name!r}")
            setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stop training when a batch loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch start to ``schedule(epoch, lr)``."""

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.schedule(epoch, float(self.model.optimizer.learning_rate)))
        self.model.optimizer.learning_rate = lr
        if self.verbose:
            print(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                f"{lr}."
            )


class CSVLogger(Callback):
    """Append each epoch's logs as a row of a CSV file."""

    def __init__(
        self, filename: str, separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.filename, self.separator, self.append = (
            os.fspath(filename),
            separator,
            append,
        )
        self._keys: list[str] | None = None

    def on_train_begin(self, logs=None):
        self._keys = None
        if not self.append and os.path.exists(self.filename):
            os.remove(self.filename)

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: float(np.asarray(v)) for k, v in (logs or {}).items()}
        new_file = not os.path.exists(self.filename)
        if self._keys is None:
            self._keys = sorted(logs)
        with open(self.filename, "a", newline="") as f:
            writer = csv.DictWriter(
                f, fieldnames=["epoch", *self._keys], delimiter=self.separator
            )
            if new_file:
                writer.writeheader()
            writer.writerow(
                {"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}}
            )
