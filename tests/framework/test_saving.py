"""Saving and loading: round trips across backends, and corrupt or hostile files."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
import pytest
from fw_data import mnist_like

import kconform.framework as keras
from kconform.framework import layers
from kconform.framework.saving import CorruptFileError

# The NumPy backend is the default and the reference these tests load files on.
pytestmark = pytest.mark.needs_backend("numpy")


def trained(backend: Any = "numpy") -> tuple[Any, np.ndarray]:
    x, y = mnist_like(64)
    inputs = keras.Input((784,), name="pixels")
    h = layers.Dense(8, activation="relu", kernel_regularizer="l2")(inputs)
    h = layers.Dropout(0.2)(h)
    model = keras.Model(inputs, layers.Dense(10)(h), name="saved", backend=backend)
    model.compile(
        keras.optimizers.Adam(0.01),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=1, verbose=0)
    return model, x


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_save_on_numpy_load_on_every_backend(
    backend: Any, tmp_path: Any, ext: str
) -> None:
    model, x = trained("numpy")
    path = tmp_path / f"model.{ext}"
    model.save(path)
    loaded = keras.models.load_model(path, backend=backend)
    assert loaded.backend.name == backend.name and loaded.name == "saved"
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    assert loaded.compiled and type(loaded.optimizer).__name__ == "Adam"
    assert (
        int(loaded.optimizer.iterations.numpy())
        == int(model.optimizer.iterations.numpy())
        == 2
    )
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert loaded.evaluate(x, np.zeros(64), verbose=0)[0] == pytest.approx(
        model.evaluate(x, np.zeros(64), verbose=0)[0], rel=1e-5
    )


def test_sequential_and_custom_layer_round_trip(backend: Any, tmp_path: Any) -> None:
    @keras.saving.register_keras_serializable(package="tests")
    class Scale(keras.layers.Layer):
        def __init__(self, factor: float = 2.0, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs: Any) -> Any:
            return inputs * self.factor

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            layers.Conv2D(2, 3),
            layers.BatchNormalization(),
            Scale(3.0),
            layers.Flatten(),
            layers.Dense(3),
        ],
        backend=backend,
    )
    x = np.random.default_rng(0).random((5, 4, 4, 1), dtype=np.float32)
    for ext in ("keras", "h5"):
        model.save(tmp_path / f"m.{ext}")
        loaded = keras.models.load_model(tmp_path / f"m.{ext}", backend=backend)
        assert [type(la).__name__ for la in loaded.layers] == [
            "Conv2D",
            "BatchNormalization",
            "Scale",
            "Flatten",
            "Dense",
        ]
        assert loaded.layers[2].factor == 3.0
        np.testing.assert_allclose(
            loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
        )


def test_weights_files(backend: Any, tmp_path: Any) -> None:
    model, x = trained(backend)
    fresh, _ = trained(backend)
    for name in ("w.weights.h5", "w.weights.npz"):
        model.save_weights(tmp_path / name)
        fresh.load_weights(tmp_path / name)
        np.testing.assert_allclose(
            fresh.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
        )
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "m.pickle")


def test_unknown_custom_class_is_a_clear_error(tmp_path: Any) -> None:
    class Unregistered(keras.layers.Layer):
        def call(self, inputs: Any) -> Any:
            return inputs

    inputs = keras.Input((3,))
    model = keras.Model(inputs, Unregistered()(inputs))
    model.save(tmp_path / "m.keras")
    with pytest.raises(
        ValueError, match="Could not locate layer class 'Unregistered'.*custom_objects"
    ):
        keras.models.load_model(tmp_path / "m.keras")
    loaded = keras.models.load_model(
        tmp_path / "m.keras", custom_objects={"Unregistered": Unregistered}
    )
    assert type(loaded.layers[1]).__name__ == "Unregistered"


# -- hostile and corrupt files ---------------------------------------------------------
def _saved(tmp_path: Any) -> tuple[Any, Any]:
    model, _ = trained("numpy")
    path = tmp_path / "good.keras"
    model.save(path)
    return model, path


def _rewrite(src: Any, dst: Any, edit: Any) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            name, data = edit(info.filename, zin.read(info))
            if name is not None:
                zout.writestr(name, data)


def test_truncated_and_non_zip_files(tmp_path: Any) -> None:
    _, path = _saved(tmp_path)
    data = path.read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="not a valid `.keras` archive"):
        keras.models.load_model(tmp_path / "cut.keras")
    (tmp_path / "text.keras").write_text("hello")
    with pytest.raises(CorruptFileError, match="truncated, corrupt, or not a zip"):
        keras.models.load_model(tmp_path / "text.keras")
    with pytest.raises(FileNotFoundError, match="File not found"):
        keras.models.load_model(tmp_path / "missing.keras")
    (tmp_path / "cut.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(CorruptFileError, match="not a valid HDF5 file"):
        keras.models.load_model(tmp_path / "cut.h5")


def test_path_traversal_member_is_refused(tmp_path: Any) -> None:
    _, path = _saved(tmp_path)
    bad = tmp_path / "evil.keras"
    _rewrite(path, bad, lambda n, d: (n, d))
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("../../evil.py", "import os")
    with pytest.raises(
        CorruptFileError, match="unsafe name '../../evil.py'.*path traversal"
    ):
        keras.models.load_model(bad)
    assert not (tmp_path.parent / "evil.py").exists()


def _keras3_zip(path: Any, h5_bytes: bytes) -> Any:
    """The layout Keras 3 writes: metadata.json, config.json, model.weights.h5."""
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "s",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 2]}},
                {"class_name": "Dense", "config": {"units": 1, "name": "d"}},
            ],
        },
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("model.weights.h5", h5_bytes)
    return path


def test_a_broken_keras3_file_is_refused_as_such(tmp_path: Any) -> None:
    path = _keras3_zip(tmp_path / "from_keras.keras", b"\x89HDF\r\n\x1a\n")
    with pytest.raises(CorruptFileError, match="model.weights.h5 is not a valid HDF5"):
        keras.models.load_model(path)


@pytest.mark.parametrize("link", ["external", "soft"])
def test_keras3_weights_that_link_elsewhere_are_refused(
    tmp_path: Any, link: str
) -> None:
    h5py = pytest.importorskip("h5py")
    h5 = tmp_path / "w.h5"
    with h5py.File(h5, "w") as f:
        group = f.create_group("layers/dense/vars")
        f.create_dataset("other/vars/0", data=np.zeros((2, 1), "float32"))
        group["0"] = (
            h5py.ExternalLink("/etc/passwd", "/x")
            if link == "external"
            else h5py.SoftLink("/other/vars/0")
        )
        group["1"] = np.zeros((1,), "float32")
    path = _keras3_zip(tmp_path / "linked.keras", h5.read_bytes())
    with pytest.raises(CorruptFileError, match="link to elsewhere"):
        keras.models.load_model(path)


def test_wrong_shapes_are_refused(tmp_path: Any) -> None:
    _, path = _saved(tmp_path)
    bad = tmp_path / "shapes.keras"

    def swap(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "weights/00000.npy":
            buf = io.BytesIO()
            np.save(buf, np.zeros((100, 8), "float32"))
            return name, buf.getvalue()
        return name, data

    _rewrite(path, bad, swap)
    with pytest.raises(
        CorruptFileError, match=r"has shape \(100, 8\) but the model expects \(784, 8\)"
    ):
        keras.models.load_model(bad)


def test_huge_declared_sizes_are_refused(tmp_path: Any) -> None:
    _, path = _saved(tmp_path)
    header_lies = tmp_path / "lies.keras"

    def lie(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "weights/00001.npy":  # declares 2**40 floats, holds 8
            buf = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                buf, {"descr": "<f4", "fortran_order": False, "shape": (2**40,)}
            )
            return name, buf.getvalue() + b"\x00" * 32
        return name, data

    _rewrite(path, header_lies, lie)
    with pytest.raises(
        CorruptFileError,
        match=r"has shape \(1099511627776,\) but the model expects \(8,\)",
    ):
        keras.models.load_model(header_lies)
    bomb = tmp_path / "bomb.keras"
    with (
        zipfile.ZipFile(path) as zin,
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "weights/00000.npy":
                data = data + b"\x00" * (64 * 2**20)  # 64 MiB of zeros compress ~1000x
            zout.writestr(info.filename, data)
    with pytest.raises(CorruptFileError, match="zip bomb"):
        keras.models.load_model(bomb)
    huge_units = tmp_path / "units.keras"

    def units(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "config.json":
            cfg = json.loads(data)
            cfg["model"]["config"]["layers"][-1]["config"]["units"] = 10**12
            return name, json.dumps(cfg).encode()
        return name, data

    _rewrite(path, huge_units, units)
    with pytest.raises(
        keras.saving.CorruptFileError.__mro__[1],
        match="more than any weight stored in the file",
    ):
        keras.models.load_model(huge_units)


def test_pickled_arrays_are_never_loaded(tmp_path: Any) -> None:
    _, path = _saved(tmp_path)
    bad = tmp_path / "pickle.keras"

    def pickled(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "weights/00001.npy":
            buf = io.BytesIO()
            np.save(buf, np.array([object()] * 8, dtype=object), allow_pickle=True)
            return name, buf.getvalue()
        return name, data

    _rewrite(path, bad, pickled)
    with pytest.raises(CorruptFileError, match="dtype object"):
        keras.models.load_model(bad)


def test_h5_links_to_other_files_are_refused(tmp_path: Any) -> None:
    h5py = pytest.importorskip("h5py")
    model, _ = trained("numpy")
    path = tmp_path / "m.h5"
    model.save(path)
    with h5py.File(tmp_path / "other.h5", "w") as other:
        other.create_dataset("secret", data=np.zeros((784, 8), "float32"))
    with h5py.File(path, "a") as f:
        del f["model_weights/00000"]
        f["model_weights/00000"] = h5py.ExternalLink(
            str(tmp_path / "other.h5"), "secret"
        )
    with pytest.raises(CorruptFileError, match="link to elsewhere"):
        keras.models.load_model(path)
