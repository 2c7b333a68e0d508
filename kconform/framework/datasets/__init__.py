"""``keras.datasets``: small standard datasets read from a local cache."""

from __future__ import annotations

from . import mnist

__all__ = ["mnist"]
