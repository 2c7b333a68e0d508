"""A wheel of this repository runs the suite in an empty venv, outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV"))
    }
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.mark.slow
def test_wheel_with_one_backend_runs_the_suite_from_anywhere(tmp_path):
    pytest.importorskip("build")
    dist = tmp_path / "dist"
    for project in (REPO, REPO / "backends" / "numpy"):
        _run(
            [
                sys.executable,
                "-m",
                "build",
                "--wheel",
                "--outdir",
                str(dist),
                str(project),
            ],
            cwd=tmp_path,
        )
    wheels = sorted(str(p) for p in dist.glob("*.whl"))
    assert len(wheels) == 2, wheels
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = str(venv / "bin" / "python")
    _run([python, "-m", "pip", "install", "--quiet", *wheels], cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    check = (
        "import sys, kconform, kconform.specs; "
        "assert not {'torch', 'jax', 'tensorflow'} & set(sys.modules); "
        "assert 'site-packages' in kconform.specs.__file__, kconform.specs.__file__"
    )
    _run([python, "-c", check], cwd=elsewhere)
    proc = _run(
        [
            python,
            "-m",
            "pytest",
            "--pyargs",
            "kconform.suite",
            "--backend=numpy",
            "-p",
            "no:cacheprovider",
            "-q",
            "-k",
            "softmax and not explore",
        ],
        cwd=elsewhere,
    )
    assert "kconform: 1 backend conformant" in proc.stdout
    assert " failed" not in proc.stdout.splitlines()[-1], proc.stdout[-2000:]
    cli = _run(
        [
            str(venv / "bin" / "kconform"),
            "run",
            "--tier=smoke",
            "--",
            "-q",
            "-k",
            "relu",
        ],
        cwd=elsewhere,
    )
    assert "numpy" in cli.stdout and "passed" in cli.stdout
    # From the checkout (the README's first command): the installed kconform, not
    # the source tree's (which lacks kconform.specs), runs the suite.
    in_repo = _run(
        [
            str(venv / "bin" / "kconform"),
            "run",
            "--tier=smoke",
            f"--report={tmp_path / 'in-repo'}",
            "--",
            "-q",
            "-k",
            "relu",
        ],
        cwd=REPO,
    )
    assert "conformant" in in_repo.stdout, in_repo.stdout[-3000:]
    # Only numpy is installed: the other built-ins come from the golden records.
    run_dirs = [p.parent for p in (elsewhere / "reports").glob("*/results.json")]
    assert run_dirs, list((elsewhere / "reports").rglob("*"))
    for run_dir in run_dirs:
        summary = (run_dir / "summary.md").read_text(encoding="utf-8")
        for name in ("jax", "torch", "tensorflow"):
            assert f"{name} (golden: kconform" in summary, summary[:3000]
        assert (run_dir / "report.html").exists()
    # A backend author's start, in this fresh venv: scaffold, install, run.
    new = _run([str(venv / "bin" / "kconform"), "new-backend", "acme"], cwd=elsewhere)
    assert "pip install -e ./kconform-acme" in new.stdout, new.stdout
    _run(
        [python, "-m", "pip", "install", "--quiet", "-e", "./kconform-acme"],
        cwd=elsewhere,
    )
    listed = subprocess.run(
        [str(venv / "bin" / "kconform"), "list"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "acme" in listed.stdout, listed.stdout + listed.stderr
    acme = subprocess.run(
        [
            str(venv / "bin" / "kconform"),
            "run",
            "--backend=acme",
            "--tier=smoke",
            "--report=acme-run",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert acme.returncode == 1, acme.stdout[-3000:] + acme.stderr[-3000:]
    assert "acme  partial:" in acme.stdout, acme.stdout[-3000:]
    summary = (elsewhere / "acme-run" / "summary.md").read_text(encoding="utf-8")
    assert "**acme**: partial" in summary and "ops not implemented" in summary
