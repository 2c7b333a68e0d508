"""The ``.h5`` format (HDF5, h5py): the config as an attribute, arrays as datasets.

Only plain numeric datasets stored inside the file are read: links to other
files, external storage, virtual datasets and object/string dtypes are
refused, and every dataset's declared shape is checked before it is read.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import numpy as np

from kconform import __version__

from . import _common
from ._common import CorruptFileError
from .serialization import serialize_model

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


def load_timeout() -> float:
    """Seconds reading one ``.h5`` file may take (``KCONFORM_LOAD_TIMEOUT``)."""
    raw = os.environ.get("KCONFORM_LOAD_TIMEOUT", "120")
    try:
        return max(float(raw), 0.1)
    except ValueError:
        raise ValueError(
            f"KCONFORM_LOAD_TIMEOUT={raw!r} is not a number of seconds"
        ) from None


def run_reader(path: str, out: str, *extra: str, what: str = "reading it") -> dict:
    """Run ``h5_reader.py`` on ``path`` in a child process stopped after
    :func:`load_timeout` seconds; its ``result.json`` (an error is raised as
    :class:`CorruptFileError`). Its arrays are in ``out/arrays.npz``."""
    import subprocess
    import sys

    from .._limits import max_load_bytes

    reader = os.path.join(os.path.dirname(__file__), "h5_reader.py")
    cmd = [sys.executable, "-I", reader, path, out, str(max_load_bytes()), *extra]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=load_timeout()
        )
    except subprocess.TimeoutExpired:
        raise CorruptFileError(
            f"File '{path}': {what} did not finish in {load_timeout():g} s "
            "(libhdf5 loops on some corrupt files); refusing it. A genuinely "
            "large file may need a longer KCONFORM_LOAD_TIMEOUT."
        ) from None
    result = os.path.join(out, "result.json")
    if proc.returncode != 0 or not os.path.exists(result):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise CorruptFileError(
            f"File '{path}': {what} crashed the reader (exit code "
            f"{proc.returncode}: {tail[:300]})."
        )
    with open(result, encoding="utf-8") as fh:
        doc = json.load(fh)
    if "error" in doc:
        raise CorruptFileError(doc["error"])
    return doc


def read_untrusted(
    path: str,
) -> tuple[dict[str, str], dict[str, list[np.ndarray]]]:
    """The text attributes and arrays of ``path``, read and validated by
    ``h5_reader.py`` in a child process (:func:`run_reader`); they come back as
    JSON and an ``.npz`` (no pickle)."""
    with tempfile.TemporaryDirectory(prefix="kconform-h5-") as out:
        doc = run_reader(path, out)
        arrays: dict[str, list[np.ndarray]] = {}
        with np.load(os.path.join(out, "arrays.npz"), allow_pickle=False) as data:
            for group, n in doc["groups"].items():
                arrays[group] = [data[f"{group}/{i:05d}"] for i in range(n)]
        return doc["attrs"], arrays


def _checked(
    arrays: list[np.ndarray], path: str, group: str, expected: list[tuple] | None
) -> list[np.ndarray]:
    if expected is not None and len(arrays) != len(expected):
        raise CorruptFileError(
            f"File '{path}' holds {len(arrays)} weight arrays but the model has "
            f"{len(expected)} weights. The file was saved from a different "
            "architecture."
        )
    for i, arr in enumerate(arrays):
        _common.check_declared(
            path,
            f"dataset '{group}/{i:05d}'",
            arr.shape,
            arr.dtype,
            expected[i] if expected else None,
        )
    return arrays


def load_h5(
    path: str, custom_objects: Any = None, compile: bool = True, backend: Any = None
) -> Any:
    """Read a model written by :func:`save_h5`."""
    attrs, arrays = read_untrusted(path)
    text = attrs.get("model_config")
    if text is None:
        raise CorruptFileError(
            f"File '{path}' has no model config: it holds only weights (load them "
            "with `model.load_weights`) or was not written by kconform."
        )
    config = _common.parse_json(text.encode(), "model_config", path)
    weights = arrays.get("model_weights", [])
    build = attrs.get("build_input_shape")
    model = _common.rebuild(
        config,
        _common.parse_json(build.encode(), "build_input_shape", path)
        if build
        else None,
        _common.budget_for(path, [(a.shape, a.dtype) for a in weights]),
        custom_objects,
        backend,
    )
    expected = [v.shape for v in model.weights]
    _common.assign_weights(
        model, _checked(weights, path, "model_weights", expected), path
    )
    training = attrs.get("training_config")
    if compile and training:
        _common.recompile(
            model, _common.parse_json(training.encode(), "training_config", path)
        )
        _common.assign_optimizer(
            model,
            _checked(arrays.get("optimizer_weights", []), path, "optimizer", None),
        )
    return model


def save_weights_h5(model: Any, path: str) -> None:
    save_h5(model, path, weights_only=True)


def load_weights_h5(model: Any, path: str, skip_mismatch: bool = False) -> None:
    _, arrays = read_untrusted(path)
    expected = None if skip_mismatch else [v.shape for v in model.weights]
    weights = _checked(arrays.get("model_weights", []), path, "model_weights", expected)
    _common.assign_weights(model, weights, path, skip_mismatch=skip_mismatch)
