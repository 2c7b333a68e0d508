"""Which backend a model binds to, and moving models between backends."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import kconform
import kconform.framework as keras
from kconform.framework import layers


def small(**kw: Any) -> Any:
    return keras.Sequential([keras.Input((3,)), layers.Dense(2)], **kw)


@pytest.mark.needs_backend("numpy")
def test_precedence(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert keras.config.backend() == "numpy"
    monkeypatch.setenv("KERAS_BACKEND", backend.name)
    assert keras.config.backend() == backend.name
    monkeypatch.setenv("KCONFORM_BACKEND", "numpy")
    assert keras.config.backend() == "numpy"  # ours wins over Keras's variable
    keras.config.set_backend(backend.name)
    assert small().backend.name == backend.name
    with keras.config.use_backend("numpy"):
        assert small().backend.name == "numpy"
        assert small(backend=backend).backend.name == backend.name
    keras.config.set_backend(None)
    assert small().backend.name == "numpy"


def test_without_numpy_the_only_installed_backend_is_the_default(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backend author's environment: kconform and their backend, no NumPy backend.

    A custom layer called on ``keras.Input`` runs before the model names its
    backend, on the default one; that default must exist.
    """
    monkeypatch.setattr(kconform, "installed_backends", lambda: [backend.name])
    assert keras.config.backend() == backend.name

    class Doubled(layers.Layer):
        def call(self, x):
            return keras.ops.multiply(x, 2.0)

    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2)(Doubled()(inputs)), backend=backend)
    assert model.predict(np.ones((1, 3), np.float32), verbose=0).shape == (1, 2)
    # with several backends and none of them NumPy, nothing is guessed
    monkeypatch.setattr(kconform, "installed_backends", lambda: [backend.name, "x"])
    assert keras.config.backend() == "numpy"


def test_bound_model_keeps_its_backend(backend: Any) -> None:
    with keras.config.use_backend(backend):
        model = small()
    keras.config.set_backend("numpy")
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    assert model.backend is backend
    assert all(backend.is_tensor(v.value) for v in model.weights)


@pytest.mark.needs_backend("numpy")
def test_to_backend_and_clone(backend: Any) -> None:
    x = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    model = small(backend="numpy")
    model.compile("adam", "mse")
    model.fit(x, x[:, :2], verbose=0)
    expected = model.predict(x, verbose=0)
    model.to_backend(backend)
    assert model.backend is backend
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    model.fit(x, x[:, :2], verbose=0)  # optimizer state moved too
    clone = keras.models.clone_model(model, backend=backend)
    assert clone.backend is backend and [w.shape for w in clone.weights] == [
        (3, 2),
        (2,),
    ]


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(kconform.UnknownBackendError, match="No backend named 'nope'"):
        small(backend="nope")
    with pytest.raises(ValueError, match="Received an invalid value for `backend`"):
        keras.config.set_backend(3)  # type: ignore[arg-type]
