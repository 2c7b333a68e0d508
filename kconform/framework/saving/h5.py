"""The ``.h5`` format (HDF5, h5py): the config as an attribute, arrays as datasets.

Only plain numeric datasets stored inside the file are read: links to other
files, external storage, virtual datasets and object/string dtypes are
refused, and every dataset's declared shape is checked before it is read.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from typing import Any

import numpy as np

from kconform import __version__

from .._engine import engine_for
from . import _common
from ._common import CorruptFileError
from .registry import ALLOC_LIMIT
from .serialization import deserialize_model, serialize_model

__all__ = ["load_h5", "load_weights_h5", "save_h5", "save_weights_h5"]


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - h5py is a dependency
        raise ImportError(
            "Saving to and loading from `.h5` needs h5py: `pip install h5py`."
        ) from exc
    return h5py


def _write_group(group: Any, arrays: list[tuple[str, np.ndarray]]) -> None:
    for i, (path, arr) in enumerate(arrays):
        ds = group.create_dataset(f"{i:05d}", data=np.asarray(arr, order="C"))
        ds.attrs["path"] = path


def save_h5(
    model: Any, path: str, include_optimizer: bool = True, weights_only: bool = False
) -> None:
    """Write ``model`` (or only its weights) to an HDF5 file."""
    h5py = _h5py()
    weights, opt = _common.model_arrays(model, include_optimizer and not weights_only)
    fd, tmp = tempfile.mkstemp(
        dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp"
    )
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["kconform_format"] = "h5-weights" if weights_only else "h5"
            f.attrs["kconform_version"] = __version__
            f.attrs["backend"] = model.engine.name
            if not weights_only:
                f.attrs["model_config"] = json.dumps(serialize_model(model))
                cc = _common.compile_config(model)
                if cc is not None:
                    f.attrs["training_config"] = json.dumps(cc)
                shape = getattr(model, "_build_input_shape", None)
                if shape is not None:
                    f.attrs["build_input_shape"] = json.dumps(shape)
            _write_group(f.create_group("model_weights"), weights)
            if opt:
                _write_group(f.create_group("optimizer_weights"), opt)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _open(path: str) -> Any:
    h5py = _h5py()
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"File not found: filepath={path}. Please ensure the file is an "
            "accessible `.h5` file."
        )
    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise CorruptFileError(
            f"File '{path}' is not a valid HDF5 file: it is truncated, corrupt, or of "
            f"another format ({exc})."
        ) from exc


def _attr_text(f: Any, name: str, path: str) -> str | None:
    if name not in f.attrs:
        return None
    value = f.attrs[name]
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="strict")
    if not isinstance(value, str) or len(value) > _common.MAX_JSON_BYTES:
        raise CorruptFileError(
            f"File '{path}': attribute '{name}' is not a JSON string."
        )
    return value


def _datasets(
    f: Any, group_name: str, path: str, expected: list[tuple] | None
) -> list[np.ndarray]:
    h5py = _h5py()
    if group_name not in f:
        return []
    link = f.get(group_name, getlink=True)
    if not isinstance(link, h5py.HardLink):
        raise CorruptFileError(
            f"File '{path}': '{group_name}' is a link to elsewhere; refusing to "
            "follow it."
        )
    group = f[group_name]
    names = sorted(group.keys())
    if names != [f"{i:05d}" for i in range(len(names))]:
        raise CorruptFileError(
            f"File '{path}': unexpected entries in '{group_name}': {names[:5]}..."
        )
    if expected is not None and len(names) != len(expected):
        raise CorruptFileError(
            f"File '{path}' holds {len(names)} weight arrays but the model has "
            f"{len(expected)} weights. "
            "The file was saved from a different architecture."
        )
    out = []
    for i, name in enumerate(names):
        if not isinstance(group.get(name, getlink=True), h5py.HardLink):
            raise CorruptFileError(
                f"File '{path}': '{group_name}/{name}' is a link to elsewhere; "
                "refusing to follow it."
            )
        ds = group[name]
        if not isinstance(ds, h5py.Dataset) or ds.is_virtual or ds.external:
            raise CorruptFileError(
                f"File '{path}': '{group_name}/{name}' is not a plain dataset stored "
                "in the file."
            )
        where = f"dataset '{group_name}/{name}' ({ds.attrs.get('path', '?')})"
        _common.check_declared(
            path,
            where,
            tuple(ds.shape or ()),
            ds.dtype,
            expected[i] if expected else None,
        )
        try:
            out.append(np.asarray(ds[()]))
        except (OSError, ValueError) as exc:
            raise CorruptFileError(
                f"File '{path}': {where} cannot be read; the file is truncated or "
                f"corrupt ({exc})."
            ) from exc
    return out


def load_h5(
    path: str, custom_objects: Any = None, compile: bool = True, backend: Any = None
) -> Any:
    """Read a model written by :func:`save_h5`."""
    with _open(path) as f:
        text = _attr_text(f, "model_config", path)
        if text is None:
            raise CorruptFileError(
                f"File '{path}' has no model config: it holds only weights (load them "
                "with "
                "`model.load_weights`) or was not written by kconform."
            )
        config = _common.parse_json(text.encode(), "model_config", path)
        shapes = (
            [tuple(f["model_weights"][n].shape) for n in f["model_weights"]]
            if "model_weights" in f
            else []
        )
        token = ALLOC_LIMIT.set(max((math.prod(s) for s in shapes), default=0))
        try:
            model = deserialize_model(
                config, custom_objects, backend=engine_for(backend).b
            )
            build = _attr_text(f, "build_input_shape", path)
            if not model.built and build:
                shape = json.loads(build)
                model.build(
                    tuple(shape)
                    if not isinstance(shape[0], list)
                    else [tuple(s) for s in shape]
                )
        finally:
            ALLOC_LIMIT.reset(token)
        arrays = _datasets(f, "model_weights", path, [v.shape for v in model.weights])
        _common.assign_weights(model, arrays, path)
        training = _attr_text(f, "training_config", path)
        if compile and training:
            _common.recompile(
                model, _common.parse_json(training.encode(), "training_config", path)
            )
            _common.assign_optimizer(
                model, _datasets(f, "optimizer_weights", path, None)
            )
    return model


def save_weights_h5(model: Any, path: str) -> None:
    save_h5(model, path, weights_only=True)


def load_weights_h5(model: Any, path: str, skip_mismatch: bool = False) -> None:
    with _open(path) as f:
        expected = None if skip_mismatch else [v.shape for v in model.weights]
        arrays = _datasets(f, "model_weights", path, expected)
    _common.assign_weights(model, arrays, path, skip_mismatch=skip_mismatch)
