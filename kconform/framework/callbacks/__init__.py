"""``keras.callbacks``: hooks into ``fit``, ``evaluate`` and ``predict``."""

from __future__ import annotations

from .base import Callback, CallbackList, History, ProgbarLogger
from .misc import CSVLogger, LambdaCallback, LearningRateScheduler, TerminateOnNaN
from .monitors import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]
