"""Small synthetic data sets for the framework tests (MNIST-shaped)."""

from __future__ import annotations

import os

import numpy as np


def mnist_like(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped data: ``n`` rows of 784 floats in [0, 1) and labels 0-9."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n).astype("uint8")
    return x, y


def write_mnist(
    path: os.PathLike, n_train: int = 60000, n_test: int = 10000, seed: int = 0
) -> None:
    """A file in the standard ``mnist.npz`` layout (random pixels)."""
    rng = np.random.default_rng(seed)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, n_train, dtype=np.uint8),
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, n_test, dtype=np.uint8),
    )
