"""The harness's own tests: unit tests need no framework; sessions run in pytester.

A test that uses a backend by name besides the one under test (the NumPy
reference, say) carries ``@pytest.mark.needs_backend("numpy")``: it is skipped,
saying what to install, where that backend is not installed — in a tox
environment of another backend, as a CI job of one backend runs.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

pytest_plugins = ["pytester"]


def _import_keras_on_jax() -> None:
    """Import real Keras on its JAX backend now, before a kconform backend can.

    TensorFlow imports Keras when it is imported itself, and Keras then picks
    its TensorFlow backend: the reference would depend on which kconform
    backend ran first. (From the same weights, Keras on TensorFlow trains a
    masked bidirectional GRU to first-epoch losses 2.6e-5 apart, relatively,
    from the ones Keras on JAX and kconform's four backends reach.)
    """
    if "keras" in sys.modules:
        return
    saved = os.environ.get("KERAS_BACKEND")
    os.environ["KERAS_BACKEND"] = "jax"
    try:
        import keras  # noqa: F401
    except Exception:  # noqa: BLE001 - no Keras or no JAX here: tests skip
        sys.modules.pop("keras", None)
    finally:
        if saved is None:
            os.environ.pop("KERAS_BACKEND", None)
        else:
            os.environ["KERAS_BACKEND"] = saved


if importlib.util.find_spec("jax") is not None:
    _import_keras_on_jax()


def pytest_runtest_setup(item: pytest.Item) -> None:
    import kconform

    for mark in item.iter_markers("needs_backend"):
        installed = kconform.installed_backends()
        missing = [name for name in mark.args if name not in installed]
        if missing:
            pytest.skip(
                f"needs the {', '.join(missing)} backend installed "
                f"(pip install {' '.join(f'./backends/{n}' for n in missing)})"
            )
