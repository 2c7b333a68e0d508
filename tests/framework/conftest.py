"""Fixtures of the framework's tests: clean backend defaults, real Keras."""

from __future__ import annotations

import os
from typing import Any

import pytest

import kconform.framework as keras


@pytest.fixture(autouse=True)
def _clean_defaults(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Every test starts from the env-free default backend and a fixed seed."""
    monkeypatch.delenv("KCONFORM_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KCONFORM_OFFLINE", "1")
    keras.config.set_backend(None)
    keras.utils.set_random_seed(1234)
    yield
    keras.config.set_backend(None)


@pytest.fixture
def use(backend: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make the backend under test the default one, through the environment variable."""
    monkeypatch.setenv("KCONFORM_BACKEND", backend.name)
    return backend


@pytest.fixture(scope="session")
def real_keras() -> Any:
    """Real Keras 3 to compare numerics with (JAX unless imported before with another).

    Keras agrees with itself across its backends to about 1e-7 on these
    cases, so whichever backend it was imported with serves as the reference.
    """
    saved = os.environ.get("KERAS_BACKEND")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        keras3 = pytest.importorskip("keras")
    finally:
        if saved is None:
            os.environ.pop("KERAS_BACKEND", None)
        else:
            os.environ["KERAS_BACKEND"] = saved
    return keras3
