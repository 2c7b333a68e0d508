"""The callback machinery: `Callback`, `CallbackList`, `History`, `ProgbarLogger`."""

from __future__ import annotations

from typing import Any

from ..progbar import Progbar

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]

_BATCH_HOOKS = (
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
    "on_batch_begin",
    "on_batch_end",
)


class Callback:
    """Base class: override the ``on_*`` hooks you need; ``self.model`` is the model."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


def _overrides(cb: Callback, hook: str) -> bool:
    return hook in vars(cb) or getattr(type(cb), hook, None) is not getattr(
        Callback, hook
    )


class CallbackList:
    """Dispatch each hook to a list of callbacks."""

    def __init__(
        self, callbacks: list[Callback], model: Any, params: dict[str, Any]
    ) -> None:
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    "Received an invalid callback, expected a "
                    "`keras.callbacks.Callback` "
                    f"instance. Received: {cb!r}"
                )
            cb.set_model(model)
            cb.set_params(params)
        self.callbacks = callbacks
        self.wants_batch_logs = any(
            _overrides(cb, h)
            for cb in callbacks
            for h in _BATCH_HOOKS
            if not isinstance(cb, ProgbarLogger)
        )

    def call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)


class History(Callback):
    """Record per-epoch logs: ``history.history["loss"]`` lists the epoch losses."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self


class ProgbarLogger(Callback):
    """Print progress: ``verbose=1`` a bar per epoch, ``verbose=2`` a line per epoch."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self.bar: Progbar | None = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.params.get("epochs", 1) and self.verbose:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}")
        self.bar = Progbar(self.params.get("steps"), self.verbose)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.update(self.params.get("seen_steps", 0), logs, finalize=True)
