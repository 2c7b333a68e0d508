"""Real conformance-suite sessions in a subprocess, as CI runs them (for tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGINS = Path(__file__).parent / "plugins"


def run_session(directory: Path, *args: str, passing: bool = False) -> Path:
    """A real ``pytest --pyargs kconform.suite`` session writing ``directory``.

    ``passing``: the session must also exit 0 (every selected case passed).
    """
    pytest.importorskip("kconform_numpy")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PLUGINS), env.get("PYTHONPATH", "")) if p
    )
    env.pop("GITHUB_STEP_SUMMARY", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "kconform.suite",
            "-p",
            "no:cacheprovider",
            "-q",
            "--kconform-golden=off",
            f"--kconform-report-dir={directory}",
            *args,
        ],
        cwd=directory.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (directory / "results.json").is_file(), proc.stdout[-3000:] + proc.stderr
    if passing:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return directory
