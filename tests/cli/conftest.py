"""Fixtures for the `kconform` command's tests: real subprocesses in a scratch dir."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PLUGINS = Path(__file__).parent.parent / "plugins"
#: `kconform ...` without relying on the console script being on PATH.
KCONFORM = [
    sys.executable,
    "-c",
    "import sys; from kconform.cli import main; sys.exit(main())",
]


@pytest.fixture
def cli_env() -> dict[str, str]:
    """The environment of a `kconform` process: the test plugins importable."""
    pytest.importorskip("kconform_numpy")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PLUGINS), env.get("PYTHONPATH", "")) if p
    )
    env.pop("COLUMNS", None)
    return env


@pytest.fixture
def kconform(tmp_path: Path, cli_env: dict[str, str]) -> Callable[..., Any]:
    """Run `kconform ARGS` in ``tmp_path``; returns the CompletedProcess."""

    def run(
        *args: str, timeout: float = 240, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*KCONFORM, *args],
            cwd=tmp_path,
            env={**cli_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def start_kconform(tmp_path: Path, cli_env: dict[str, str]):
    """Start `kconform ARGS` in its own process group; killed at teardown."""
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [*KCONFORM, *args],
            cwd=tmp_path,
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.communicate()
