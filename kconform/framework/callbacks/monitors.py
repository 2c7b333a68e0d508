"""Callbacks on a monitored log: EarlyStopping, ModelCheckpoint, ReduceLROnPlateau."""

from __future__ import annotations

import os

from kconform.errors import KconformError

from .base import Callback

__all__ = ["EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau"]


def _mode_op(monitor: str, mode: str, owner: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(
            f"{owner}: mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}"
        )
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_").lower()
    if "acc" in name or name.startswith(("auc", "precision", "recall")):
        return "max"
    if (
        "loss" in name
        or "error" in name
        or "crossentropy" in name
        or name in ("mse", "mae")
    ):
        return "min"
    raise ValueError(
        f"{owner} callback received monitor={monitor}, but Keras isn't able to "
        "automatically determine whether that metric should be maximized or "
        "minimized. Pass `mode='max'` in order to monitor based on the highest "
        "metric value, or pass `mode='min'` in order to use the lowest value."
    )


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving for ``patience`` epochs.

    Args:
        monitor: Quantity to monitor: ``"val_loss"`` (default), ``"val_accuracy"``...
        min_delta: Minimum change that counts as an improvement.
        patience: Epochs without improvement before stopping.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        baseline: Stop unless the monitor beats this value.
        restore_best_weights: Restore the weights of the best epoch at the end.
        start_from_epoch: Epochs to wait before monitoring.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.mode = _mode_op(monitor, mode, "EarlyStopping")
        self.min_delta = abs(min_delta)
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch

    def _better(self, current: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.mode == "min":  # Keras: less(current - (-min_delta), reference)
            return current + self.min_delta < reference
        return current - self.min_delta > reference

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best, self.best_weights, self.best_epoch = (
            0,
            0,
            None,
            None,
            0,
        )

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            available = ", ".join(logs or {})
            print(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {available}"
            )
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or its weights) at the end of epochs.

    Args:
        filepath: Where to save; ends in ``.keras`` or ``.h5`` (whole model) or
            ``.weights.h5``/``.weights.npz`` (weights). May hold ``{epoch:02d}``
            and log keys, e.g. ``"model-{epoch:02d}-{val_loss:.2f}.keras"``.
        monitor: Quantity compared when ``save_best_only``. Defaults to ``"val_loss"``.
        save_best_only: Only save when ``monitor`` improves.
        save_weights_only: Save weights only.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_freq: ``"epoch"`` (only value supported).
    """

    def __init__(
        self,
        filepath: str,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        filepath = os.fspath(filepath)
        if save_weights_only:
            if not filepath.endswith((".weights.h5", ".weights.npz")):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the "
                    "filepath provided must end in `.weights.h5` (Keras weights "
                    "format). "
                    f"Received: filepath={filepath}"
                )
        elif not filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). "
                f"Received: filepath={filepath}"
            )
        if save_freq != "epoch":
            raise ValueError(
                "Only `save_freq='epoch'` is supported. Received: "
                f"save_freq={save_freq!r}"
            )
        self.filepath, self.monitor, self.verbose = filepath, monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = (
            _mode_op(monitor, mode, "ModelCheckpoint") if save_best_only else mode
        )
        self.best = initial_value_threshold

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as exc:
            raise KconformError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: '
                f"{exc!r}"
            ) from exc
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                print(
                    f"Can save best model only with {self.monitor} available, skipping."
                )
                return
            better = self.best is None or (
                current < self.best if self.mode == "min" else current > self.best
            )
            if not better:
                if self.verbose:
                    print(
                        f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                        f"{self.best:.5f}"
                    )
                return
            if self.verbose:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. Received "
                f"factor={factor}"
            )
        self.monitor, self.factor, self.patience, self.verbose = (
            monitor,
            factor,
            patience,
            verbose,
        )
        self.mode = _mode_op(monitor, mode, "ReduceLROnPlateau")
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.best: float | None = None
        self.wait = self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        better = self.best is None or (
            current < self.best - self.min_delta
            if self.mode == "min"
            else current > self.best + self.min_delta
        )
        if better:
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(self.model.optimizer.learning_rate)
                new = max(old * self.factor, self.min_lr)
                if old > new:
                    self.model.optimizer.learning_rate = new
                    if self.verbose:
                        print(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                            f"learning rate to {new}."
                        )
                    self.cooldown_counter, self.wait = self.cooldown, 0
