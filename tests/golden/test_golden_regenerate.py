"""`kconform golden --from`: real runs become golden records, or are refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from suite_sessions import run_session

from kconform.golden import load_golden_run, main
from kconform.records import load_run

SUBSET = "softmax and float32 or mlp-"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small real run of numpy and one of torch, each in its own session."""
    pytest.importorskip("kconform_numpy")
    pytest.importorskip("kconform_torch")
    base = tmp_path_factory.mktemp("runs")
    return {
        name: run_session(base / name, f"--backend={name}", "-k", SUBSET, passing=True)
        for name in ("numpy", "torch")
    }


def _copy(run_dir: Path, target: Path) -> Path:
    shutil.copytree(run_dir, target)
    return target


def _edit(run_dir: Path, change) -> None:
    path = run_dir / "results.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_runs_become_a_loadable_golden_run(runs, tmp_path, capsys):
    out = tmp_path / "golden"
    rc = main(["--from", str(runs["numpy"]), str(runs["torch"]), "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "wrote the golden records of numpy, torch" in printed
    assert "MB" in printed  # the sizes
    golden = load_golden_run(out)
    assert sorted(golden.backends) == ["numpy", "torch"] and golden.complete
    for name in ("numpy", "torch"):
        source = load_run(runs[name])
        record = golden.backends[name]
        assert record["source"] == "golden"
        assert record["origin"]["run"] == source.doc["run"]
        assert set(record["cases"]) == set(source.backends[name]["cases"])
        kept, original = golden.arrays(name), source.arrays(name)
        assert "mlp-fit/step0_gradients/0" in kept and "mlp-fit/step_losses" in kept
        assert "mlp-create/initial_weights/0" in original
        assert not any("/initial_weights/" in k for k in kept)
        assert golden.backends[name]["cases"][f"mlp-create[{name}]"]["arrays"] == []
        for key, arr in kept.items():
            np.testing.assert_array_equal(arr, original[key])
        for case in record["cases"].values():
            assert len(golden.case_arrays(name, case)) == len(case["arrays"])


def test_one_backend_is_replaced_and_the_others_kept(runs, tmp_path):
    out = tmp_path / "golden"
    both = [str(runs["numpy"]), str(runs["torch"])]
    assert main(["--from", *both, "--out", str(out)]) == 0
    before = load_golden_run(out).backends["numpy"]
    assert main(["--from", str(runs["torch"]), "--out", str(out)]) == 0
    after = load_golden_run(out)
    assert sorted(after.backends) == ["numpy", "torch"]
    assert after.backends["numpy"] == before
    assert "mlp-fit/step_losses" in after.arrays("numpy")


def test_backends_picks_among_the_runs(runs, tmp_path):
    out = tmp_path / "golden"
    args = ["--from", str(runs["numpy"]), str(runs["torch"]), "--backends", "torch"]
    assert main([*args, "--out", str(out)]) == 0
    assert list(load_golden_run(out).backends) == ["torch"]


def test_a_failed_case_is_refused_and_nothing_written(runs, tmp_path, capsys):
    bad = _copy(runs["torch"], tmp_path / "torch")
    case = "softmax[torch-float32]"

    def fail(doc):
        doc["backends"]["torch"]["cases"][case]["outcome"] = "failed"
        doc["backends"]["torch"]["cases"][case]["message"] = "AssertionError: 9 ULP"

    _edit(bad, fail)
    out = tmp_path / "golden"
    assert main(["--from", str(runs["numpy"]), str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "refused, nothing written" in err
    assert f"{case} failed: AssertionError: 9 ULP" in err
    assert not out.exists()


def test_a_declared_deviation_is_accepted(runs, tmp_path):
    dev = _copy(runs["torch"], tmp_path / "torch")

    def deviate(doc):
        case = doc["backends"]["torch"]["cases"]["softmax[torch-float32]"]
        case.update(outcome="deviation", deviation="softmax-ulp")

    _edit(dev, deviate)
    out = tmp_path / "golden"
    assert main(["--from", str(dev), "--out", str(out)]) == 0
    case = load_golden_run(out).backends["torch"]["cases"]["softmax[torch-float32]"]
    assert case["outcome"] == "deviation"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda doc: doc["backends"]["numpy"].update(
                status="interrupted", status_detail="stopped by Ctrl-C"
            ),
            "status 'interrupted' (stopped by Ctrl-C)",
        ),
        (lambda doc: doc.update(profile="dev"), "golden records need profile 'ci'"),
        (
            lambda doc: doc["backends"]["numpy"]["cases"]["mlp-fit[numpy]"].update(
                outcome="not-run"
            ),
            "mlp-fit[numpy] not-run",
        ),
    ],
)
def test_incomplete_or_randomized_runs_are_refused(
    runs, tmp_path, capsys, change, expected
):
    bad = _copy(runs["numpy"], tmp_path / "numpy")
    _edit(bad, change)
    out = tmp_path / "golden"
    assert main(["--from", str(bad), "--out", str(out)]) == 1
    assert expected in capsys.readouterr().err
    assert not out.exists()


def test_a_refusal_leaves_the_previous_golden_records(runs, tmp_path):
    out = tmp_path / "golden"
    assert main(["--from", str(runs["numpy"]), "--out", str(out)]) == 0
    before = (out / "results.json").read_bytes()
    bad = _copy(runs["numpy"], tmp_path / "numpy")
    _edit(bad, lambda doc: doc["backends"]["numpy"].update(status="crashed"))
    assert main(["--from", str(bad), "--out", str(out)]) == 1
    assert (out / "results.json").read_bytes() == before


def test_usage_errors(runs, tmp_path, capsys):
    out = str(tmp_path / "golden")
    assert main(["--backends", "mine", "--out", out]) == 2
    assert "expected built-in backends among numpy, jax" in capsys.readouterr().err
    assert main(["--from", str(tmp_path), "--out", out]) == 2
    assert "no results.json here" in capsys.readouterr().err
    assert main(["--from", str(runs["numpy"]), "--backends", "jax", "--out", out]) == 1
    assert "none of" in capsys.readouterr().err


def test_python_dash_m_and_help():
    proc = subprocess.run(
        [sys.executable, "-m", "kconform.golden", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "--from DIR" in proc.stdout


def test_the_cross_backend_report_of_the_runs(runs, tmp_path):
    pytest.importorskip("kconform.report")
    out, report = tmp_path / "golden", tmp_path / "latest"
    both = [str(runs["numpy"]), str(runs["torch"])]
    assert main(["--from", *both, "--out", str(out), "--report-dir", str(report)]) == 0
    merged = load_run(report)
    assert sorted(merged.backends) == ["numpy", "torch"]
    assert all(r.get("source", "live") == "live" for r in merged.backends.values())
    assert "mlp-create/initial_weights/0" in merged.arrays("torch")  # the full runs
    assert (report / "summary.md").is_file()
