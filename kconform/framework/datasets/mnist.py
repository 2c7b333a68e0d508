"""MNIST: 60,000 training and 10,000 test images of handwritten digits (28x28 uint8).

``load_data`` reads the standard ``mnist.npz`` (keys ``x_train``, ``y_train``,
``x_test``, ``y_test``) from a local cache: ``$KCONFORM_DATA_DIR`` if set,
then ``~/.keras/datasets`` (Keras's cache, so an existing download is reused).
It downloads the file only when it is missing and a network is reachable.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
import zipfile

import numpy as np

from kconform.errors import KconformError

__all__ = ["DatasetNotFoundError", "load_data"]

URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_KEYS = ("x_train", "y_train", "x_test", "y_test")


class DatasetNotFoundError(KconformError, FileNotFoundError):
    """A dataset file is not cached locally and could not be downloaded."""


def cache_dirs() -> list[str]:
    """Where ``load_data`` looks, in order."""
    dirs = []
    if os.environ.get("KCONFORM_DATA_DIR"):
        dirs.append(os.environ["KCONFORM_DATA_DIR"])
    dirs.append(os.path.join(os.path.expanduser("~"), ".keras", "datasets"))
    return dirs


def _download(dest: str, timeout: float) -> None:
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = dest + ".part"
    digest = hashlib.sha256()
    with (
        urllib.request.urlopen(URL, timeout=timeout) as response,
        open(tmp, "wb") as out,
    ):  # noqa: S310
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != SHA256:
        os.remove(tmp)
        raise KconformError(
            f"The file downloaded from {URL} does not have the expected SHA-256; not "
            "using it."
        )
    os.replace(tmp, dest)


def _validate(arrays: dict[str, np.ndarray], path: str) -> None:
    missing = [k for k in _KEYS if k not in arrays]
    if missing:
        raise KconformError(
            f"File '{path}' is not in the mnist.npz layout: it lacks {missing} "
            f"(expected keys {list(_KEYS)})."
        )
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.ndim != 1 or len(x) != len(y):
            raise KconformError(
                f"File '{path}': expected x_{split} of shape (n, 28, 28) and "
                f"y_{split} of shape (n,); "
                f"received {x.shape} and {y.shape}."
            )


def load_data(
    path: str = "mnist.npz", download: bool | None = None, timeout: float = 30.0
):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)`` uint8 arrays.

    Args:
        path: File name inside the cache directories, or a path to an ``mnist.npz``.
        download: Download when missing; default: unless ``KCONFORM_OFFLINE`` is set.
        timeout: Seconds to wait for the download server.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` of shape ``(n, 28, 28)``,
        ``y`` of shape ``(n,)`` with digits 0-9.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    >>> x_train = x_train.reshape(60000, 784).astype("float32") / 255
    """
    candidates = [path] if os.path.isabs(path) or os.path.exists(path) else []
    candidates += [os.path.join(d, path) for d in cache_dirs()]
    found = next((c for c in candidates if os.path.isfile(c)), None)
    if found is None:
        if download is None:
            download = not os.environ.get("KCONFORM_OFFLINE")
        dest = os.path.join(cache_dirs()[-1], os.path.basename(path))
        error = "downloading is disabled (KCONFORM_OFFLINE is set or download=False)"
        if download:
            try:
                _download(dest, timeout)
                found = dest
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                error = f"the download from {URL} failed ({exc})"
        if found is None:
            raise DatasetNotFoundError(
                f"MNIST file '{path}' was not found in "
                f"{[os.path.dirname(c) or '.' for c in candidates]} "
                f"and {error}. Put the standard `mnist.npz` (from {URL}) in "
                f"{cache_dirs()[0]}, or set KCONFORM_DATA_DIR to the folder that "
                "holds it."
            )
    try:
        with np.load(found, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise KconformError(
            f"File '{found}' is not a valid .npz file (truncated or corrupt): {exc}"
        ) from exc
    _validate(arrays, found)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
