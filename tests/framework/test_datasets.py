"""``datasets.mnist.load_data``: ``mnist.npz`` from a local cache, or a clear error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fw_data import write_mnist

import kconform.framework as keras
from kconform.framework.datasets import mnist


def test_reads_the_cache_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    write_mnist(tmp_path / "mnist.npz", n_train=12, n_test=4)
    monkeypatch.setenv("KCONFORM_DATA_DIR", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert (
        y_train.shape == (12,) and x_test.shape == (4, 28, 28) and y_test.shape == (4,)
    )


def test_reads_an_explicit_path(tmp_path: Any) -> None:
    write_mnist(tmp_path / "digits.npz", n_train=3, n_test=2)
    (x, _), _ = mnist.load_data(path=str(tmp_path / "digits.npz"))
    assert x.shape == (3, 28, 28)


def test_keras_cache_is_used(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KCONFORM_DATA_DIR", raising=False)
    (tmp_path / ".keras" / "datasets").mkdir(parents=True)
    write_mnist(tmp_path / ".keras" / "datasets" / "mnist.npz", n_train=2, n_test=2)
    assert mnist.load_data()[0][0].shape == (2, 28, 28)


def test_missing_offline_says_where_to_put_it(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCONFORM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(
        mnist.DatasetNotFoundError, match=f"Put the standard `mnist.npz`.*in {tmp_path}"
    ):
        mnist.load_data()


def test_download_failure_is_reported(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCONFORM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", no_network)
    with pytest.raises(
        mnist.DatasetNotFoundError,
        match="download from .* failed.*Network is unreachable",
    ):
        mnist.load_data(download=True)


def test_corrupt_or_wrong_layout(tmp_path: Any) -> None:
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(keras.datasets.mnist.KconformError, match="not a valid .npz"):
        mnist.load_data(path=str(tmp_path / "bad.npz"))
    np.savez(tmp_path / "other.npz", images=np.zeros((2, 28, 28)))
    with pytest.raises(keras.datasets.mnist.KconformError, match="lacks"):
        mnist.load_data(path=str(tmp_path / "other.npz"))
