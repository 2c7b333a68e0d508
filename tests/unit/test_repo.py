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


def _outside_details(markdown: str) -> list[str]:
    """The lines of a Markdown text outside its collapsed <details> sections."""
    out, depth = [], 0
    for line in markdown.splitlines():
        if line.startswith("<details"):
            depth += 1
        if depth == 0:
            out.append(line)
        if line.startswith("</details>"):
            depth -= 1
    return out


def test_the_kept_report_of_the_built_in_backends_reads_at_a_glance():
    """reports/latest/summary.md (written by `kconform golden`): every verdict
    in its first 15 lines, at most 80 lines outside collapsed sections."""
    summary = (REPO / "reports" / "latest" / "summary.md").read_text("utf-8")
    head = summary.splitlines()[:15]
    for name in ("numpy", "jax", "torch", "tensorflow"):
        assert any(f"**{name}**: conformant" in line for line in head), (name, head)
    visible = [line for line in _outside_details(summary) if line.strip()]
    assert len(visible) <= 80, len(visible)
    assert "## Failures (0)" in summary and "## Next steps" in summary
