"""Seeded hostile model files: `load_model` loads them or raises CorruptFileError.

No other exception, no hang (each load has an alarm), no memory beyond the
documented budget (KCONFORM_MAX_LOAD_BYTES, lowered here), and no link
followed (links point at a FIFO, which would hang whoever opened it).
"""

from __future__ import annotations

import os
import resource
import signal
from pathlib import Path
from typing import Any

import pytest
from hostile_files import hostile_file
from hypothesis import given, settings
from hypothesis import strategies as st

import kconform.framework as keras
from kconform.framework import layers
from kconform.framework.saving import CorruptFileError

pytestmark = [
    pytest.mark.needs_backend("numpy"),
    pytest.mark.skipif(os.name != "posix", reason="SIGALRM and FIFOs"),
]

#: Files per run: a few hundred in CI; KCONFORM_HOSTILE_FILES=5000 for thousands.
COUNT = int(os.environ.get("KCONFORM_HOSTILE_FILES", "300"))
BUDGET = 256 * 2**20  # bytes of weights a file may declare in this test
SECONDS = 20  # per file


@pytest.fixture(scope="module", autouse=True)
def _limits() -> Any:
    """Low limits for every load in this module (a hang costs SECONDS / 2)."""
    saved = {
        k: os.environ.get(k)
        for k in ("KCONFORM_LOAD_TIMEOUT", "KCONFORM_MAX_LOAD_BYTES")
    }
    os.environ["KCONFORM_LOAD_TIMEOUT"] = str(SECONDS / 2)
    os.environ["KCONFORM_MAX_LOAD_BYTES"] = str(BUDGET)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def base(tmp_path_factory: Any) -> dict[str, Path]:
    pytest.importorskip("h5py")
    d = tmp_path_factory.mktemp("base")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    h = layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, layers.Dense(3)(h), backend="numpy")
    model.compile("adam", "mse")
    out = {}
    for ext in ("keras", "h5"):
        out[ext] = d / f"base.{ext}"
        model.save(out[ext])
        keras.models.load_model(out[ext])  # the genuine file loads
    return out


class _Alarm(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Alarm


def test_every_hostile_file_loads_or_is_refused_cleanly(base, tmp_path):
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    problems, outcomes = [], {"loaded": 0, "refused": 0}
    try:
        for seed in range(COUNT):
            path, mutation = hostile_file(base, tmp_path, seed)
            signal.alarm(SECONDS)
            try:
                keras.models.load_model(path)
                outcomes["loaded"] += 1
            except CorruptFileError as exc:
                outcomes["refused"] += 1
                assert str(path) in str(exc) or path.name in str(exc), str(exc)
            except _Alarm:
                problems.append(f"{path.name} ({mutation}): no answer in {SECONDS} s")
            except BaseException as exc:  # noqa: BLE001 - that is what is tested
                problems.append(
                    f"{path.name} ({mutation}): {type(exc).__name__}: {exc}"[:300]
                )
            finally:
                signal.alarm(0)
            path.unlink()
    finally:
        signal.signal(signal.SIGALRM, previous)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    assert not problems, f"{len(problems)} of {COUNT}:\n" + "\n".join(problems[:20])
    assert outcomes["refused"] > COUNT // 2, outcomes
    assert grown < 4 * BUDGET, f"peak memory grew by {grown} bytes"


def test_a_fifo_or_a_directory_is_refused_without_opening_it(base, tmp_path):
    fifo = tmp_path / "model.keras"
    os.mkfifo(fifo)
    with pytest.raises(CorruptFileError, match="not a regular file"):
        keras.models.load_model(fifo)  # open() on a FIFO would block
    folder = tmp_path / "saved.keras"
    folder.mkdir()
    with pytest.raises(CorruptFileError, match="is a directory"):
        keras.models.load_model(folder)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10**9))
def test_hypothesis_draws_hostile_files_too(base, tmp_path_factory, seed):
    """The same property with Hypothesis choosing the seeds (and shrinking to
    the smallest failing one)."""
    path, mutation = hostile_file(base, tmp_path_factory.mktemp("h"), seed)
    try:
        keras.models.load_model(path)
    except CorruptFileError:
        pass
