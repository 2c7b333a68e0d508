"""A seeded generator of hostile `.keras` and `.h5` model files.

Each file starts as a genuine small model saved by the reference framework and
is broken in one way chosen by the seed: bytes flipped, truncated, members
renamed or made to traverse (`../`), declared shapes made huge, JSON values of
the wrong type, configs nested thousands deep or asking for enormous layers,
zip bombs, HDF5 external and soft links (to a FIFO, which would hang whoever
followed it, and to a file outside the model), wrong object types, invalid
UTF-8 in attributes. `load_model` must load it or raise `CorruptFileError`.

Run thousands (the CI runs a few hundred)::

    KCONFORM_HOSTILE_FILES=5000 pytest tests/framework/test_hostile_files.py
"""

from __future__ import annotations

import json
import os
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MUTATIONS", "hostile_file"]


def _zip_members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)


def _json_member(
    members: list[tuple[str, bytes]], name: str, edit: Callable[[Any], Any]
) -> list[tuple[str, bytes]]:
    out = []
    for n, data in members:
        if n == name:
            data = json.dumps(edit(json.loads(data))).encode()
        out.append((n, data))
    return out


def _random_value(rng: random.Random) -> Any:
    return rng.choice(
        [None, -1, 0, 2**62, 1e308, "x" * rng.randint(0, 50), [], {}, [1, [2]], True]
    )


def _poke(value: Any, rng: random.Random) -> Any:
    """Replace one random leaf or member of a JSON value with a wrong-typed one."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        if rng.random() < 0.4:
            value[key] = _random_value(rng)
        else:
            value[key] = _poke(value[key], rng)
        return value
    if isinstance(value, list) and value:
        i = rng.randrange(len(value))
        value[i] = _random_value(rng) if rng.random() < 0.4 else _poke(value[i], rng)
        return value
    return _random_value(rng)


def _deep(levels: int) -> str:
    """JSON text of a config nested ``levels`` deep (built as text: any depth)."""
    head = '{"class_name": "Sequential", "config": {"layers": ['
    inner = '{"class_name": "Dense", "config": {"units": 2}}'
    return head * levels + inner + "]}}" * levels


# -- mutations of the bytes (either format) ----------------------------------------
def flip_bytes(src: Path, dst: Path, rng: random.Random) -> None:
    data = bytearray(src.read_bytes())
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    dst.write_bytes(bytes(data))


def truncate(src: Path, dst: Path, rng: random.Random) -> None:
    data = src.read_bytes()
    dst.write_bytes(data[: rng.randrange(len(data))])


def zero_run(src: Path, dst: Path, rng: random.Random) -> None:
    data = bytearray(src.read_bytes())
    start = rng.randrange(len(data))
    n = rng.randint(1, 256)
    data[start : start + n] = b"\x00" * len(data[start : start + n])
    dst.write_bytes(bytes(data))


# -- mutations of a .keras zip ---------------------------------------------------------
def rename_member(src: Path, dst: Path, rng: random.Random) -> None:
    members = _zip_members(src)
    i = rng.randrange(len(members))
    name = rng.choice(["../../evil.json", "/etc/passwd", "weights/../../x", "a" * 300])
    members[i] = (name, members[i][1])
    _write_zip(dst, members)


def poke_json(src: Path, dst: Path, rng: random.Random) -> None:
    member = rng.choice(["config.json", "weights/manifest.json", "metadata.json"])
    _write_zip(dst, _json_member(_zip_members(src), member, lambda v: _poke(v, rng)))


def huge_manifest_shape(src: Path, dst: Path, rng: random.Random) -> None:
    def edit(manifest: Any) -> Any:
        entry = rng.choice(manifest["weights"])
        entry["shape"] = rng.choice([[2**40], [2**20, 2**20], [-1], ["8"], [1.5]])
        return manifest

    _write_zip(dst, _json_member(_zip_members(src), "weights/manifest.json", edit))


def big_layers_keras(src: Path, dst: Path, rng: random.Random) -> None:
    def edit(config: Any) -> Any:
        layers = config["model"]["config"]["layers"]
        dense = next(layer for layer in layers if layer["class_name"] == "Dense")
        dense["config"]["units"] = rng.choice([4096, 2**28, 10**12])
        return config

    _write_zip(dst, _json_member(_zip_members(src), "config.json", edit))


def deep_config_keras(src: Path, dst: Path, rng: random.Random) -> None:
    members = [
        (n, ('{"model": ' + _deep(rng.choice([200, 5000])) + "}").encode())
        if n == "config.json"
        else (n, data)
        for n, data in _zip_members(src)
    ]
    _write_zip(dst, members)


def zip_bomb(src: Path, dst: Path, rng: random.Random) -> None:
    members = _zip_members(src)
    i = rng.randrange(len(members))
    members[i] = (members[i][0], members[i][1] + b"\x00" * (rng.randint(16, 80) << 20))
    _write_zip(dst, members)


# -- mutations of an .h5 file ------------------------------------------------------
def _h5(src: Path, dst: Path, edit: Callable[[Any], None]) -> None:
    import h5py

    dst.write_bytes(src.read_bytes())
    with h5py.File(dst, "a") as f:
        edit(f)


def h5_external_link(src: Path, dst: Path, rng: random.Random) -> None:
    import h5py

    target = rng.choice([str(dst.parent / "fifo"), "/etc/passwd", str(src)])
    fifo = dst.parent / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo)

    def edit(f: Any) -> None:
        where = rng.choice(["model_weights/00000", "model_weights", "extra"])
        if where in f:
            del f[where]
        f[where] = h5py.ExternalLink(target, "/")

    _h5(src, dst, edit)


def h5_soft_link(src: Path, dst: Path, rng: random.Random) -> None:
    import h5py

    def edit(f: Any) -> None:
        del f["model_weights/00001"]
        f["model_weights/00001"] = h5py.SoftLink(
            rng.choice(["/model_weights/00000", "/nowhere", "/model_weights"])
        )

    _h5(src, dst, edit)


def h5_wrong_objects(src: Path, dst: Path, rng: random.Random) -> None:
    def edit(f: Any) -> None:
        choice = rng.randrange(4)
        if choice == 0:  # a group where a dataset belongs
            del f["model_weights/00000"]
            f.create_group("model_weights/00000")
        elif choice == 1:  # a dataset where the group belongs
            del f["model_weights"]
            f.create_dataset("model_weights", data=np.zeros(3))
        elif choice == 2:  # strings where numbers belong
            del f["model_weights/00000"]
            f.create_dataset("model_weights/00000", data=np.array([b"ab", b"cd"]))
        else:  # a committed datatype object
            f["model_weights/00009"] = np.dtype("float32")

    _h5(src, dst, edit)


def h5_huge_dataset(src: Path, dst: Path, rng: random.Random) -> None:
    def edit(f: Any) -> None:
        del f["model_weights/00000"]
        f.create_dataset(  # declared, never written: the file stays small
            "model_weights/00000",
            shape=rng.choice([(2**20, 2**20), (2**31,), (784, 2**25)]),
            dtype="float32",
            chunks=True,
        )

    _h5(src, dst, edit)


def h5_bad_attrs(src: Path, dst: Path, rng: random.Random) -> None:
    def edit(f: Any) -> None:
        name = rng.choice(["model_config", "training_config", "build_input_shape"])
        choice = rng.randrange(4)
        if choice == 0:  # invalid UTF-8
            f.attrs[name] = np.void(b"\xff\xfe{" + b"\x80" * rng.randint(1, 20))
        elif choice == 1:
            f.attrs[name] = rng.choice([3, 2.5, np.arange(4)])
        elif choice == 2:
            text = f.attrs.get(name)
            text = text.decode() if isinstance(text, bytes) else str(text)
            f.attrs[name] = text.encode("utf-8")[:-1] + b"\xc3"  # cut a character
        else:
            f.attrs[name] = _deep(rng.choice([200, 5000]))

    _h5(src, dst, edit)


def big_layers_h5(src: Path, dst: Path, rng: random.Random) -> None:
    def edit(f: Any) -> None:
        config = json.loads(f.attrs["model_config"])
        layers = config["config"]["layers"]
        for layer in layers:
            if layer["class_name"] == "Dense":
                layer["config"]["units"] = 4096
        layers.extend(
            json.loads(json.dumps(layers[-1])) for _ in range(rng.randint(1, 64))
        )
        for i, layer in enumerate(layers):
            layer["config"]["name"] = f"layer_{i}"
        f.attrs["model_config"] = json.dumps(config)

    _h5(src, dst, edit)


KERAS_MUTATIONS = [
    flip_bytes,
    truncate,
    zero_run,
    rename_member,
    poke_json,
    poke_json,
    huge_manifest_shape,
    big_layers_keras,
    deep_config_keras,
    zip_bomb,
]
H5_MUTATIONS = [
    flip_bytes,
    truncate,
    zero_run,
    h5_external_link,
    h5_soft_link,
    h5_wrong_objects,
    h5_huge_dataset,
    h5_bad_attrs,
    big_layers_h5,
]
MUTATIONS = {"keras": KERAS_MUTATIONS, "h5": H5_MUTATIONS}


def hostile_file(base: dict[str, Path], out_dir: Path, seed: int) -> tuple[Path, str]:
    """File number ``seed``: a genuine file of either format broken by one
    mutation; returns its path and the mutation's name."""
    rng = random.Random(seed)
    ext = "keras" if seed % 2 else "h5"
    mutate = rng.choice(MUTATIONS[ext])
    dst = out_dir / f"hostile-{seed:05d}.{ext}"
    mutate(base[ext], dst, rng)
    return dst, mutate.__name__
