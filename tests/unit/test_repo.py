"""The repository's wiring: the README's commands, .ci/run, what pytest collects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_starts_with_the_two_commands():
    first, second = readme_commands()[:2]
    assert "./backends/numpy" in first and "kconform run --backend=numpy" in first
    assert second.index("torch==2.13.0") < second.index("./backends/torch")
    assert "pytest --backend=all" in second


def test_ci_runs_the_readme_test_command_unchanged():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    extracted = subprocess.run(
        ["bash", "-c", "sed -n '/^```sh$/{n;n;p;q}' README.md"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert extracted == readme_commands()[1]
    assert "sed -n '/^```sh$/{n;n;p;q}' README.md" in script
    assert 'bash -c "$command"' in script


def test_pytest_in_the_repository_collects_the_conformance_suite():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = config["tool"]["pytest"]["ini_options"]["testpaths"]
    assert "kconform/suite" in testpaths and "tests" in testpaths
