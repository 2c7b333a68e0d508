"""``python h5_reader.py FILE OUTDIR MAX_BYTES``: read an untrusted ``.h5`` file.

Run by :func:`kconform.framework.saving.h5.read_untrusted` as a script in a
process of its own, stopped after a time limit: libhdf5 can loop forever on a
corrupt file, inside one C call no signal interrupts. It imports only NumPy
and h5py (not kconform: the process starts in a third of a second).

Before anything is read, the whole structure is validated: only the groups
``model_weights`` and ``optimizer_weights`` at the top, each holding only
datasets ``00000``, ``00001``, ... stored in the file (``--keras3``: a Keras 3
``model.weights.h5``, whose datasets sit in ``.../vars`` groups). Every member is looked
at as a link first (an external or soft link is never followed), then its
object type, storage (no virtual or external dataset), dtype and shape; the
declared sizes together must stay within MAX_BYTES. It writes
OUTDIR/result.json (the text attributes and how many arrays each group holds,
or the error) and OUTDIR/arrays.npz.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any

import numpy as np

GROUPS = ("model_weights", "optimizer_weights")
TEXT_ATTRS = ("model_config", "training_config", "build_input_shape")
MAX_ARRAYS = 100_000
MAX_TEXT = 64 * 2**20


class Refused(Exception):
    """What is wrong with the file."""


def _text(f: Any, name: str, path: str) -> str | None:
    if name not in f.attrs:
        return None
    value = f.attrs[name]
    try:
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="strict")
        if isinstance(value, str):
            value.encode("utf-8")  # h5py keeps undecodable bytes as surrogates
    except UnicodeError as exc:
        raise Refused(
            f"File '{path}': attribute '{name}' is not valid UTF-8 text ({exc})."
        ) from exc
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise Refused(f"File '{path}': attribute '{name}' is not a JSON string.")
    return value


def _declared(f: Any, path: str, h5py: Any) -> dict[str, list[tuple[Any, Any]]]:
    out: dict[str, list[tuple[Any, Any]]] = {}
    top = list(f.keys())
    unexpected = [n for n in top if n not in GROUPS]
    if unexpected:
        raise Refused(
            f"File '{path}': unexpected member {unexpected[0]!r} (a kconform `.h5` "
            f"holds only {', '.join(GROUPS)}); a file saved by another program "
            "(Keras itself, say) is not read."
        )
    for group_name in top:
        if not isinstance(f.get(group_name, getlink=True), h5py.HardLink):
            raise Refused(
                f"File '{path}': '{group_name}' is a link to elsewhere; refusing to "
                "follow it."
            )
        group = f[group_name]
        if not isinstance(group, h5py.Group):
            raise Refused(f"File '{path}': '{group_name}' is not a group.")
        names = sorted(group.keys())
        if len(names) > MAX_ARRAYS or names != [f"{i:05d}" for i in range(len(names))]:
            raise Refused(
                f"File '{path}': unexpected entries in '{group_name}': {names[:5]}..."
            )
        arrays = []
        for name in names:
            where = f"'{group_name}/{name}'"
            if not isinstance(group.get(name, getlink=True), h5py.HardLink):
                raise Refused(
                    f"File '{path}': {where} is a link to elsewhere; refusing to "
                    "follow it."
                )
            ds = group[name]
            if not isinstance(ds, h5py.Dataset) or ds.is_virtual or ds.external:
                raise Refused(
                    f"File '{path}': {where} is not a plain dataset stored in the file."
                )
            dt = np.dtype(ds.dtype)
            if dt.hasobject or dt.kind not in "fiub":
                raise Refused(
                    f"File '{path}': dataset {where} has dtype {dt}, which a weight "
                    "cannot have (no object or string arrays are loaded)."
                )
            arrays.append((tuple(int(d) for d in (ds.shape or ())), dt))
        out[group_name] = arrays
    return out


def read_file(path: str, max_bytes: int) -> tuple[dict[str, str], dict[str, list]]:
    """The text attributes and the arrays (group -> list) of a kconform ``.h5``."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise Refused(
            f"File '{path}' is not a valid HDF5 file: it is truncated, corrupt, or "
            f"of another format ({exc})."
        ) from exc
    with f:
        declared = _declared(f, path, h5py)
        attrs = {n: t for n in TEXT_ATTRS if (t := _text(f, n, path)) is not None}
        nbytes = sum(
            math.prod(shape) * dt.itemsize
            for arrays in declared.values()
            for shape, dt in arrays
        )
        if nbytes > max_bytes:
            raise Refused(
                f"File '{path}' declares {nbytes} bytes of weights, more than the "
                f"{max_bytes} bytes kconform loads (raise KCONFORM_MAX_LOAD_BYTES "
                "for a genuinely large model)."
            )
        arrays: dict[str, list] = {}
        for group_name, items in declared.items():
            group, out = f[group_name], []
            for i in range(len(items)):
                try:
                    out.append(np.asarray(group[f"{i:05d}"][()]))
                except (OSError, ValueError, RuntimeError) as exc:
                    raise Refused(
                        f"File '{path}': dataset '{group_name}/{i:05d}' cannot be "
                        f"read; the file is truncated or corrupt ({exc})."
                    ) from exc
            arrays[group_name] = out
    return attrs, arrays


#: What a group of a Keras 3 ``model.weights.h5`` may be called.
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
MAX_DEPTH = 16


def _plain_dataset(f: Any, parent: Any, name: str, where: str, path: str, h5py: Any):
    if not isinstance(parent.get(name, getlink=True), h5py.HardLink):
        raise Refused(f"File '{path}': {where} is a link to elsewhere; refusing it.")
    ds = parent[name]
    if not isinstance(ds, h5py.Dataset) or ds.is_virtual or ds.external:
        raise Refused(
            f"File '{path}': {where} is not a plain dataset stored in the file."
        )
    dt = np.dtype(ds.dtype)
    if dt.hasobject or dt.kind not in "fiub":
        raise Refused(
            f"File '{path}': dataset {where} has dtype {dt}, which a weight cannot "
            "have (no object or string arrays are loaded)."
        )
    return ds, tuple(int(d) for d in (ds.shape or ())), dt


def read_keras3(path: str, max_bytes: int) -> list[tuple[str, list[np.ndarray]]]:
    """Every ``.../vars`` group of a Keras 3 ``model.weights.h5``: its path and
    its datasets ``0, 1, ...`` in order. The whole tree is validated first (hard
    links only, group names of ``[A-Za-z0-9_.-]``, depth at most 16, datasets
    only inside ``vars`` groups, numeric dtypes, the byte budget)."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise Refused(
            f"File '{path}': its model.weights.h5 is not a valid HDF5 file ({exc})."
        ) from exc
    with f:
        found: list[tuple[str, list[Any]]] = []
        stack: list[tuple[Any, str, int]] = [(f, "", 0)]
        total, count = 0, 0
        while stack:
            group, prefix, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise Refused(f"File '{path}': groups nest deeper than {MAX_DEPTH}.")
            names = list(group.keys())
            if len(names) > MAX_ARRAYS:
                raise Refused(f"File '{path}': group '{prefix}' has too many members.")
            if prefix.endswith("vars") and prefix.rsplit("/", 1)[-1] == "vars":
                if sorted(names, key=lambda n: (len(n), n)) != [
                    str(i) for i in range(len(names))
                ]:
                    raise Refused(
                        f"File '{path}': unexpected entries in '{prefix}': {names[:5]}"
                    )
                items = []
                for i in range(len(names)):
                    where = f"'{prefix}/{i}'"
                    ds, shape, dt = _plain_dataset(f, group, str(i), where, path, h5py)
                    total += math.prod(shape) * dt.itemsize
                    count += 1
                    items.append(ds)
                found.append((prefix, items))
                continue
            for name in names:
                where = f"{prefix}/{name}" if prefix else name
                if not name or set(name) - _NAME_CHARS or len(name) > 200:
                    raise Refused(f"File '{path}': unexpected member name {where!r}.")
                if not isinstance(group.get(name, getlink=True), h5py.HardLink):
                    raise Refused(
                        f"File '{path}': '{where}' is a link to elsewhere; refusing "
                        "to follow it."
                    )
                child = group[name]
                if not isinstance(child, h5py.Group):
                    raise Refused(
                        f"File '{path}': '{where}' is a dataset outside a 'vars' group."
                    )
                stack.append((child, where, depth + 1))
        if count > MAX_ARRAYS or total > max_bytes:
            raise Refused(
                f"File '{path}' declares {total} bytes in {count} weight arrays, more "
                f"than the {max_bytes} bytes kconform loads (raise "
                "KCONFORM_MAX_LOAD_BYTES for a genuinely large model)."
            )
        out = []
        for prefix, items in sorted(found):
            arrays = []
            for i, ds in enumerate(items):
                try:
                    arrays.append(np.asarray(ds[()]))
                except (OSError, ValueError, RuntimeError) as exc:
                    raise Refused(
                        f"File '{path}': dataset '{prefix}/{i}' cannot be read; the "
                        f"file is truncated or corrupt ({exc})."
                    ) from exc
            out.append((prefix, arrays))
    return out


def _report(out: str, produce: Any, path: str) -> int:
    """Write ``result.json`` from ``produce()`` (the document and the arrays to
    save in ``arrays.npz``), or the error that stopped it."""
    try:
        doc, flat = produce()
    except Refused as exc:
        doc = {"error": str(exc)}
    except (
        KeyError,
        TypeError,
        ValueError,
        OSError,
        RuntimeError,
        AttributeError,
    ) as exc:
        doc = {"error": f"File '{path}' is malformed: {type(exc).__name__}: {exc}"}
    else:
        np.savez(os.path.join(out, "arrays.npz"), **flat)
    with open(os.path.join(out, "result.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return 0


def main_keras3(path: str, out: str, max_bytes: int) -> int:
    def produce() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        groups = read_keras3(path, max_bytes)
        flat = {
            f"g{k}_{i}": a
            for k, (_, arrays) in enumerate(groups)
            for i, a in enumerate(arrays)
        }
        return {"vars": [[prefix, len(arrays)] for prefix, arrays in groups]}, flat

    return _report(out, produce, path)


def main(path: str, out: str, max_bytes: int) -> int:
    def produce() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        attrs, arrays = read_file(path, max_bytes)
        flat = {
            f"{g}/{i:05d}": a
            for g, items in arrays.items()
            for i, a in enumerate(items)
        }
        return {"attrs": attrs, "groups": {g: len(v) for g, v in arrays.items()}}, flat

    return _report(out, produce, path)


if __name__ == "__main__":
    if len(sys.argv) > 4 and sys.argv[4] == "--keras3":
        sys.exit(main_keras3(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
