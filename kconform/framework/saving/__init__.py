"""``keras.saving``: models (``.keras`` zip, ``.h5``) and weights, never pickled.

A file is read as data only: JSON configs, numeric arrays. Classes are found
by name among the built-ins and those registered with
:func:`register_keras_serializable` or passed as ``custom_objects``.
"""

from __future__ import annotations

import os
import stat
import zipfile
from typing import Any

import numpy as np

from ...errors import KconformError
from . import _common, h5, keras_zip
from ._common import CorruptFileError
from .objects import deserialize_keras_object, serialize_keras_object
from .registry import (
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)

__all__ = [
    "CorruptFileError",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]


def _ext_error(path: str, what: str) -> ValueError:
    return ValueError(
        f"Invalid filepath extension for {what}. Supported: `.keras` and `.h5` for "
        "whole "
        "models, `.weights.h5` and `.weights.npz` for weights. Received: "
        f"filepath={path}"
    )


def save_model(
    model: Any,
    filepath: Any,
    overwrite: bool = True,
    include_optimizer: bool = True,
    format: str = "kconform",  # noqa: A002 - the option's name
    **kwargs: Any,
) -> None:
    """Save ``model`` (architecture, weights, compile config, optimizer state).

    Args:
        filepath: A path ending in ``.keras`` (zip of JSON and ``.npy``) or
            ``.h5`` (HDF5).
        overwrite: Replace an existing file. Defaults to ``True``.
        include_optimizer: Also save the optimizer's state.
        format: ``"kconform"`` (default), or ``"keras3"`` for a ``.keras`` file
            in Keras 3's own layout, which ``keras.models.load_model`` reads
            (Sequential and functional models of built-in layers; no optimizer
            state).
    """
    if format not in ("kconform", "keras3"):
        raise ValueError(
            f"Unknown save format {format!r}: expected 'kconform' or 'keras3'."
        )
    path = _common.check_target(filepath, overwrite)
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not been built yet, so it has no weights to "
            "save. "
            "Build it (call it on data, `fit` it, or give it an `Input`) first."
        )
    if path.endswith(".weights.h5") or path.endswith(".weights.npz"):
        raise _ext_error(
            path, "saving a whole model (use `model.save_weights` for weights)"
        )
    if format == "keras3":
        if not path.endswith(".keras"):
            raise _ext_error(path, "format='keras3' (a `.keras` file)")
        from .keras3_write import save_keras3

        save_keras3(model, path)
    elif path.endswith(".keras"):
        keras_zip.save_keras(model, path, include_optimizer)
    elif path.endswith((".h5", ".hdf5")):
        h5.save_h5(model, path, include_optimizer)
    else:
        raise _ext_error(path, "`model.save()`")


def load_model(
    filepath: Any,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
    backend: Any = None,
) -> Any:
    """Load a model saved by ``model.save``.

    Args:
        filepath: A ``.keras`` or ``.h5`` file.
        custom_objects: ``{"ClassName": cls}`` for custom layers not registered.
        compile: Compile the model as it was saved.
        backend: The backend to bind the loaded model to (default: the current default).
    """
    del safe_mode  # always safe: nothing in a file is executed
    path = os.fspath(filepath)
    if path.endswith(".keras"):
        return _untrusted(path, keras_zip.load_keras, custom_objects, compile, backend)
    if path.endswith((".h5", ".hdf5")):
        return _untrusted(path, h5.load_h5, custom_objects, compile, backend)
    raise _ext_error(path, "`load_model()`")


def _check_regular_file(path: str) -> None:
    """A model file is a regular file: a FIFO would block ``open``, a device never
    ends, a directory is a mistake worth naming."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(
            f"File not found: filepath={path}. Please ensure the file is an "
            "accessible model file."
        ) from None
    if stat.S_ISDIR(mode):
        raise CorruptFileError(
            f"'{path}' is a directory, not a model file (Keras 2's SavedModel "
            "directories are not read; save with `model.save('name.keras')`)."
        )
    if not stat.S_ISREG(mode):
        raise CorruptFileError(
            f"'{path}' is not a regular file (a FIFO, socket or device); refusing "
            "to read it."
        )


def _untrusted(path: str, load: Any, *args: Any) -> Any:
    """Load ``path`` with ``load``: every failure a file can cause is a
    CorruptFileError (a ValueError) saying what is wrong, whatever raised it."""
    _check_regular_file(path)
    try:
        return load(path, *args)
    except (CorruptFileError, FileNotFoundError):
        raise
    except RecursionError as exc:
        raise CorruptFileError(
            f"File '{path}': its config nests too deeply to be rebuilt."
        ) from exc
    except MemoryError as exc:
        raise CorruptFileError(
            f"File '{path}': rebuilding it ran out of memory ({exc})."
        ) from exc
    except KconformError as exc:
        raise CorruptFileError(f"File '{path}': {exc}") from exc
    except (
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        ValueError,
        OSError,
        RuntimeError,
        UnicodeError,
        OverflowError,
        ZeroDivisionError,
    ) as exc:
        raise CorruptFileError(
            f"File '{path}' is malformed: rebuilding it raised "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def save_weights(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Save only the weights, to ``.weights.h5`` or ``.weights.npz``."""
    path = _common.check_target(filepath, overwrite)
    if path.endswith(".weights.h5"):
        h5.save_weights_h5(model, path)
    elif path.endswith(".weights.npz"):
        np.savez(path, **{f"w{i:05d}": v.numpy() for i, v in enumerate(model.weights)})
    else:
        raise ValueError(
            "The filename must end in `.weights.h5` or `.weights.npz`. "
            f"Received: filepath={path}"
        )


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False) -> None:
    """Load weights saved by :func:`save_weights` (or from a whole-model file)."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"File not found: filepath={path}.")
    if path.endswith(".weights.npz"):
        _load_npz(model, path, skip_mismatch)
    elif path.endswith((".h5", ".hdf5")):
        h5.load_weights_h5(model, path, skip_mismatch)
    elif path.endswith(".keras"):
        loaded = keras_zip.load_keras(path, compile=False, backend=model.engine.b)
        _common.assign_weights(model, loaded.get_weights(), path, skip_mismatch)
    else:
        raise _ext_error(path, "`load_weights()`")


def _load_npz(model: Any, path: str, skip_mismatch: bool) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFileError(
            f"File '{path}' is not a valid `.npz` file (truncated or corrupt): {exc}"
        ) from exc
    with zf:
        names = sorted(zf.namelist())
        expected = [f"w{i:05d}.npy" for i in range(len(model.weights))]
        if names != expected:
            raise CorruptFileError(
                f"File '{path}' holds members {names[:4]}... but model '{model.name}' "
                "has "
                f"{len(model.weights)} weights; it was saved from another "
                "architecture or is corrupt."
            )
        arrays = []
        for name, var in zip(names, model.weights):
            data = keras_zip._read(zf, name, path, int(np.prod(var.shape)) * 8 + 4096)
            arrays.append(
                keras_zip.read_npy(
                    data, f"array {name}", path, None if skip_mismatch else var.shape
                )
            )
    _common.assign_weights(model, arrays, path, skip_mismatch=skip_mismatch)
