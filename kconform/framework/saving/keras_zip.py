"""The ``.keras`` format: a zip of JSON (metadata, config) and one ``.npy`` per array.

Loading never unpickles and never imports: JSON is parsed, classes are looked up
by name, arrays are read with ``allow_pickle=False`` after their ``.npy``
headers are checked against the model. Member names with ``..``, absolute
paths or backslashes, declared sizes beyond limits, and zip bombs are refused.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
import zipfile
import zlib
from typing import Any

import numpy as np

from kconform import __version__

from . import _common, keras3
from ._common import CorruptFileError
from .serialization import serialize_model

__all__ = ["load_keras", "read_npy", "save_keras"]

_MEMBER = re.compile(
    r"^(metadata\.json|config\.json|weights/manifest\.json|weights/\d{5}\.npy|optimizer/\d{5}\.npy)$"
)
_MAX_RATIO = (
    200  # uncompressed/compressed beyond this (for large members) is a zip bomb
)


def _write_npy(zf: zipfile.ZipFile, name: str, arr: np.ndarray) -> None:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(arr, order="C"), allow_pickle=False)
    zf.writestr(name, buf.getvalue())


def save_keras(model: Any, path: str, include_optimizer: bool = True) -> None:
    """Write ``model`` to ``path`` atomically (a temporary file renamed into place)."""
    weights, opt = _common.model_arrays(model, include_optimizer)
    config = {
        "model": serialize_model(model),
        "compile_config": _common.compile_config(model),
        "build_input_shape": getattr(model, "_build_input_shape", None),
    }
    manifest = {
        "weights": [
            {"path": p, "shape": list(a.shape), "dtype": str(a.dtype)}
            for p, a in weights
        ],
        "optimizer": [
            {"path": p, "shape": list(a.shape), "dtype": str(a.dtype)} for p, a in opt
        ],
    }
    meta = {
        "format": "kconform.keras",
        "format_version": _common.FORMAT_VERSION,
        "kconform_version": __version__,
        "backend": model.engine.name,
    }
    fd, tmp = tempfile.mkstemp(
        dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp"
    )
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("metadata.json", json.dumps(meta))
            zf.writestr("config.json", json.dumps(config))
            zf.writestr("weights/manifest.json", json.dumps(manifest))
            for i, (_, arr) in enumerate(weights):
                _write_npy(zf, f"weights/{i:05d}.npy", arr)
            for i, (_, arr) in enumerate(opt):
                _write_npy(zf, f"optimizer/{i:05d}.npy", arr)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _open(path: str) -> zipfile.ZipFile:
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"File not found: filepath={path}. Please ensure the file is an "
            "accessible `.keras` zip file."
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptFileError(
            f"File '{path}' is not a valid `.keras` archive: it is truncated, "
            "corrupt, or "
            f"not a zip file ({exc})."
        ) from exc
    seen = set()
    for info in zf.infolist():
        name = info.filename
        if (
            name.startswith(("/", "\\"))
            or ".." in name.split("/")
            or "\\" in name
            or ":" in name
            or "\x00" in name
        ):
            zf.close()
            raise CorruptFileError(
                f"File '{path}' has a member with an unsafe name {name!r} (path "
                "traversal); refusing to load it."
            )
        if name in seen:
            zf.close()
            raise CorruptFileError(
                f"File '{path}' has the member {name!r} twice; refusing to load it."
            )
        seen.add(name)
        if (
            not _MEMBER.match(name)
            and not name.endswith("/")
            and name != "model.weights.h5"  # Keras 3's own layout (keras3.py)
        ):
            zf.close()
            raise CorruptFileError(
                f"File '{path}' has an unexpected member {name!r}; it was not written "
                "by kconform."
            )
        if info.file_size > 2**40 or (
            info.file_size > 2**20
            and info.file_size > _MAX_RATIO * max(info.compress_size, 1)
        ):
            zf.close()
            raise CorruptFileError(
                f"File '{path}': member {name!r} declares {info.file_size} bytes from "
                f"{info.compress_size} compressed bytes (a zip bomb?); refusing to "
                "load it."
            )
    return zf


def _read(zf: zipfile.ZipFile, name: str, path: str, limit: int) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise CorruptFileError(
            f"File '{path}' lacks the member '{name}': it is not a complete `.keras` "
            "file."
        ) from None
    if info.file_size > limit:
        raise CorruptFileError(
            f"File '{path}': member '{name}' declares {info.file_size} bytes, more "
            f"than the {limit} allowed."
        )
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise CorruptFileError(
            f"File '{path}': member '{name}' is corrupt or truncated ({exc})."
        ) from exc
    if len(data) != info.file_size:
        raise CorruptFileError(f"File '{path}': member '{name}' is truncated.")
    return data


def read_npy(
    data: bytes, where: str, path: str, expected: tuple[int, ...] | None
) -> np.ndarray:
    """Parse one ``.npy`` held in memory, checking its header before reading values."""
    buf = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buf)
        reader = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = reader(buf)
    except Exception as exc:  # numpy raises ValueError and others on a bad header
        raise CorruptFileError(
            f"File '{path}': {where} is not a valid .npy array ({exc})."
        ) from exc
    _common.check_declared(path, where, shape, dtype, expected)
    needed = buf.tell() + math.prod(shape) * dtype.itemsize
    if len(data) != needed:
        raise CorruptFileError(
            f"File '{path}': {where} declares shape {shape} ({needed} bytes) but holds "
            f"{len(data)} bytes; it is truncated or corrupt."
        )
    arr = np.load(io.BytesIO(data), allow_pickle=False)
    return np.asfortranarray(arr) if fortran else arr


def _arrays(
    zf: zipfile.ZipFile,
    prefix: str,
    entries: Any,
    path: str,
    expected: list[tuple] | None,
) -> list[np.ndarray]:
    if not isinstance(entries, list):
        raise CorruptFileError(f"File '{path}': the weights manifest is malformed.")
    out = []
    for i, entry in enumerate(entries):
        exp = expected[i] if expected is not None and i < len(expected) else None
        shape = tuple(entry.get("shape", ())) if isinstance(entry, dict) else ()
        limit = math.prod(shape) * 8 + 4096 if shape else 2**20
        data = _read(zf, f"{prefix}/{i:05d}.npy", path, min(limit, 2**40))
        out.append(
            read_npy(
                data,
                f"array '{entry.get('path', i) if isinstance(entry, dict) else i}'",
                path,
                exp,
            )
        )
    return out


def _declared(entries: Any, path: str) -> list[tuple[tuple[int, ...], Any]]:
    """The (shape, dtype) of each weight the manifest declares, checked."""
    if not isinstance(entries, list):
        raise CorruptFileError(f"File '{path}': the weights manifest is malformed.")
    out = []
    for i, entry in enumerate(entries):
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or any(
            type(d) is not int or d < 0 for d in shape
        ):
            raise CorruptFileError(
                f"File '{path}': manifest entry {i} declares no valid shape "
                f"({str(entry)[:80]})."
            )
        out.append((tuple(shape), np.float64))  # the widest a weight is stored in
    return out


def load_keras(
    path: str, custom_objects: Any = None, compile: bool = True, backend: Any = None
) -> Any:
    """Read a ``.keras`` file written by :func:`save_keras`."""
    with _open(path) as zf:
        meta = _common.parse_json(
            _read(zf, "metadata.json", path, _common.MAX_JSON_BYTES),
            "metadata.json",
            path,
        )
        names = {n for n in zf.namelist() if not n.endswith("/")}
        if names == keras3.KERAS3_MEMBERS and isinstance(meta, dict):
            if "keras_version" not in meta:
                raise CorruptFileError(
                    f"File '{path}' holds model.weights.h5 but its metadata names no "
                    "Keras version; it is not a Keras 3 `.keras` file."
                )
            return keras3.load_keras3(zf, path, _read, custom_objects, compile, backend)
        if "model.weights.h5" in names:
            raise CorruptFileError(
                f"File '{path}' mixes Keras 3's model.weights.h5 with other members "
                f"({sorted(names)}); refusing it."
            )
        if not isinstance(meta, dict) or meta.get("format") != "kconform.keras":
            raise CorruptFileError(
                f"File '{path}' is a zip but not a kconform `.keras` model (metadata: "
                f"{str(meta)[:100]})."
            )
        config = _common.parse_json(
            _read(zf, "config.json", path, _common.MAX_JSON_BYTES), "config.json", path
        )
        manifest = _common.parse_json(
            _read(zf, "weights/manifest.json", path, _common.MAX_JSON_BYTES),
            "weights/manifest.json",
            path,
        )
        if not isinstance(config, dict) or not isinstance(manifest, dict):
            raise CorruptFileError(
                f"File '{path}': config or manifest is not a JSON object."
            )
        entries = manifest.get("weights", [])
        model = _common.rebuild(
            config.get("model"),
            config.get("build_input_shape"),
            _common.budget_for(path, _declared(entries, path)),
            custom_objects,
            backend,
        )
        arrays = _arrays(zf, "weights", entries, path, [v.shape for v in model.weights])
        _common.assign_weights(model, arrays, path)
        if compile and config.get("compile_config"):
            _common.recompile(model, config["compile_config"])
            opt_entries = manifest.get("optimizer", [])
            if opt_entries:
                _common.assign_optimizer(
                    model, _arrays(zf, "optimizer", opt_entries, path, None)
                )
    return model
