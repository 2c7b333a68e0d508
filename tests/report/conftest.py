"""Run directories made by real pytest sessions, shared by the report's tests.

Each session runs once per test module (a subprocess, as CI would run it);
tests render copies of them, never the originals.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from report_support import SMALL, run_session


@pytest.fixture(scope="session")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``sessions(name, *args)``: the run directory of a session, run once."""
    made: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("sessions")

    def get(name: str, *args: str) -> Path:
        if name not in made:
            made[name] = run_session(base / name, *args)
        return made[name]

    return get


@pytest.fixture
def copy_run(tmp_path: Path) -> Callable[[Path, str], Path]:
    """A scratch copy of a run directory (renders write into it)."""

    def copy(run_dir: Path, name: str | None = None) -> Path:
        dest = tmp_path / (name or run_dir.name)
        shutil.copytree(run_dir, dest)
        return dest

    return copy


@pytest.fixture
def pair_run(sessions: Callable[..., Path]) -> Path:
    """numpy and torch in one session."""
    pytest.importorskip("kconform_torch")
    return sessions("pair", "--backend=numpy,torch", "-k", SMALL)


@pytest.fixture
def numpy_run(sessions: Callable[..., Path]) -> Path:
    return sessions("numpy", "--backend=numpy", "-k", SMALL)


@pytest.fixture
def torch_run(sessions: Callable[..., Path]) -> Path:
    pytest.importorskip("kconform_torch")
    return sessions("torch", "--backend=torch", "-k", SMALL)


@pytest.fixture
def faulty_run(sessions: Callable[..., Path]) -> Path:
    """The planted-fault backend (exp 300 ULPs off) beside numpy and torch."""
    pytest.importorskip("kconform_torch")
    return sessions(
        "faulty",
        "--backend-plugin=faulty_backend",
        "--backend=faulty,numpy,torch",
        "-k",
        SMALL,
    )


@pytest.fixture
def no_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render without the shipped golden records (the tests choose their columns)."""
    import kconform.report.columns as columns

    monkeypatch.setattr(columns, "_load_golden", lambda: None)
