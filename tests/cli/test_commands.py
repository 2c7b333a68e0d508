"""`kconform report`, `report merge`, `golden`, `--help`: dispatch and clear errors."""

from __future__ import annotations

import sys
import types

import pytest

from kconform.cli_commands import run_cli
from kconform.records import load_run


def test_help_documents_the_exit_codes(capsys):
    assert run_cli(["--help"]) == 0
    out = capsys.readouterr().out
    for code in ("0 ", "1 ", "2 ", "130"):
        assert f"\n  {code}" in out
    for command in ("run", "report", "list", "contract", "golden"):
        assert command in out
    assert run_cli(["run", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--timeout S" in out and "default: 300" in out and "--jobs N" in out


def test_report_of_a_directory_that_is_no_run_exits_2(tmp_path, capsys):
    assert run_cli(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "no results.json" in err
    (tmp_path / "results.json").write_text("{not json")
    assert run_cli(["report", str(tmp_path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_report_merge_needs_runs_and_out(tmp_path, capsys):
    assert run_cli(["report", "merge", str(tmp_path), "--out", "x"]) == 2
    assert "no results.json" in capsys.readouterr().err
    assert run_cli(["report", "merge", str(tmp_path)]) == 2
    assert "--out DIR is required" in capsys.readouterr().err
    assert run_cli(["report", "merge", "--out", str(tmp_path / "x")]) == 2
    assert "name the run directories" in capsys.readouterr().err
    assert run_cli(["report", "a", "b"]) == 2
    assert "report merge A B --out DIR" in capsys.readouterr().err


@pytest.mark.slow
def test_report_rerenders_and_merge_merges(kconform, tmp_path):
    for backend, where in (("numpy", "a"), ("faulty", "b")):
        proc = kconform(
            "run",
            "--backend-plugin=faulty_backend",
            f"--backend={backend}",
            f"--report={where}",
            "--no-golden",
            "--",
            "-k",
            "softmax and not explore and not grad and not log",
        )
        assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    (tmp_path / "a" / "summary.md").unlink()
    again = kconform("report", "a", "--no-golden")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (tmp_path / "a" / "summary.md").is_file() and "numpy" in again.stdout
    merged = kconform("report", "merge", "--no-golden", "a", "b", "--out", "ab")
    assert merged.returncode == 0, merged.stderr[-3000:]
    run = load_run(tmp_path / "ab")
    assert set(run.backends) == {"numpy", "faulty"}
    assert (tmp_path / "ab" / "report.html").is_file()


def test_golden_forwards_its_arguments(monkeypatch):
    seen = []
    fake = types.ModuleType("kconform.golden")
    fake.main = lambda argv: seen.append(argv) or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kconform.golden", fake)
    assert run_cli(["golden", "--help", "--backend", "jax"]) == 3
    assert seen == [["--help", "--backend", "jax"]]


def test_golden_returns_the_exit_code_of_its_argparse(monkeypatch):
    def main(argv):
        raise SystemExit(2)

    fake = types.ModuleType("kconform.golden")
    fake.main = main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kconform.golden", fake)
    assert run_cli(["golden", "--no-such-option"]) == 2
