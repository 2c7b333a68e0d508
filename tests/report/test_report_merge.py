"""Merging runs made apart gives the report of one run of them all; golden columns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kconform.records import RecordsError, load_run
from kconform.report import merge, render


def _numbers(run_dir: Path) -> dict[str, Any]:
    """What a report says, without dates, timings or paths."""
    doc = json.loads((run_dir / "results.json").read_text())
    return {
        "complete": doc["complete"],
        "overview": doc["overview"],
        "parity": doc["parity"],
        "golden": {k: v for k, v in doc["golden"].items() if k != "directory"},
    }


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    """The leaf paths where two JSON documents differ (for the failure message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in sorted(a.keys() | b.keys(), key=str)
            for d in _differences(a.get(k), b.get(k), f"{path}/{k}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b))
            for d in _differences(x, y, f"{path}/{i}")
        ]
    return [] if a == b else [f"{path}: {a!r:.80} != {b!r:.80}"]


def test_a_merge_of_separate_runs_reports_what_one_run_of_both_does(
    pair_run, numpy_run, torch_run, copy_run, tmp_path, no_golden
):
    together = copy_run(pair_run, "together")
    render(together)
    merged = tmp_path / "merged"
    lines = merge([torch_run, numpy_run], merged)
    differences = _differences(_numbers(merged), _numbers(together))
    assert not differences, "\n".join(differences[:20])
    numbers = _numbers(merged)
    (pair,) = numbers["parity"]["pairs"]
    assert pair["id"] == "numpy vs torch" and pair["cases"] > 10
    assert numbers["parity"]["trajectories"]["mlp"]["backends"].keys() == {
        "numpy",
        "torch",
    }
    # arrays are copied byte for byte; the merged directory is a run again
    for name, src in (("numpy", numpy_run), ("torch", torch_run)):
        assert (merged / "arrays" / f"{name}.npz").read_bytes() == (
            src / "arrays" / f"{name}.npz"
        ).read_bytes()
    run = load_run(merged)
    assert run.complete and sorted(run.backends) == ["numpy", "torch"]
    assert [m["backends"] for m in run.doc["merged_from"]] == [["torch"], ["numpy"]]
    assert f"report: {merged / 'summary.md'}" in lines[4]


def test_a_rendered_merge_merges_again_and_a_backend_twice_is_an_error(
    numpy_run, torch_run, tmp_path, no_golden
):
    first = tmp_path / "first"
    merge([numpy_run], first)
    again = tmp_path / "again"
    merge([first, torch_run], again)  # results.json with a report in it is a run
    assert sorted(load_run(again).backends) == ["numpy", "torch"]
    with pytest.raises(RecordsError) as err:
        merge([numpy_run, first], tmp_path / "twice")
    message = str(err.value)
    assert "'numpy'" in message and str(numpy_run) in message and str(first) in message
    assert "pass only one of them" in message
    with pytest.raises(RecordsError, match="both an input and the output"):
        merge([first], first)


def test_merging_into_the_same_directory_again_drops_what_is_gone(
    numpy_run, torch_run, tmp_path, no_golden
):
    out = tmp_path / "out"
    merge([numpy_run, torch_run], out)
    merge([numpy_run], out)
    assert list(load_run(out).backends) == ["numpy"]
    assert sorted(p.name for p in (out / "arrays").iterdir()) == ["numpy.npz"]


def test_the_reproductions_of_failures_come_along(
    faulty_run, numpy_run, copy_run, tmp_path, no_golden
):
    live = copy_run(faulty_run, "live")
    doc = json.loads((live / "results.json").read_text())
    doc["backends"] = {"faulty": doc["backends"]["faulty"]}
    (live / "results.json").write_text(json.dumps(doc))
    out = tmp_path / "out"
    merge([live, numpy_run], out)
    case = load_run(out).backends["faulty"]["cases"]["exp[faulty-float32]"]
    assert case["outcome"] == "failed"
    assert case["repro"] == [
        "repro/exp-faulty-float32.py",
        "repro/exp-faulty-float32.npz",
    ]
    for rel in case["repro"]:
        assert (out / rel).read_bytes() == (faulty_run / rel).read_bytes()
    # every failing case names its reproduction, and only failing ones do
    cases = load_run(out).backends["faulty"]["cases"].values()
    failed = {
        c["id"] for c in cases if c["outcome"] == "failed" and c["kind"] != "errors"
    }
    assert failed and failed == {c["id"] for c in cases if c.get("repro")}
    # merged again without the faulty backend: its reproductions go with it
    merge([numpy_run], out)
    assert not any((out / "repro").iterdir())


def test_an_incomplete_input_makes_the_merge_incomplete(
    numpy_run, torch_run, copy_run, tmp_path, no_golden
):
    cut = copy_run(torch_run, "cut")
    doc = json.loads((cut / "results.json").read_text())
    doc["complete"] = False
    doc["backends"]["torch"]["status"] = "interrupted"
    doc["backends"]["torch"]["status_detail"] = "interrupted (Ctrl-C or SIGTERM)"
    (cut / "results.json").write_text(json.dumps(doc))
    lines = merge([numpy_run, cut], tmp_path / "out")
    assert not load_run(tmp_path / "out").complete
    assert any("INCOMPLETE RUN" in line for line in lines[:5])
    assert any("torch: interrupted: interrupted (Ctrl-C" in line for line in lines[:6])


def test_golden_columns_join_parity_but_not_the_run(
    faulty_run, pair_run, copy_run, monkeypatch
):
    """A faulty backend alone, with numpy and torch as golden columns."""
    import kconform.report.columns as columns

    golden_dir = copy_run(pair_run, "golden")
    monkeypatch.setattr(columns, "_load_golden", lambda: load_run(golden_dir))
    live = copy_run(faulty_run, "live")
    # keep only the faulty backend: the others come from the golden records
    doc = json.loads((live / "results.json").read_text())
    doc["backends"] = {"faulty": doc["backends"]["faulty"]}
    (live / "results.json").write_text(json.dumps(doc))

    lines = render(live)
    doc = json.loads((live / "results.json").read_text())
    ov = doc["overview"]
    assert ov["live"] == ["faulty"] and ov["golden"] == ["numpy", "torch"]
    assert ov["backends"]["numpy"]["source"] == "golden"
    label = ov["backends"]["torch"]["label"]
    assert label.startswith("torch (golden: kconform ") and ", torch 2." in label
    assert sorted(doc["golden"]["backends"]) == ["numpy", "torch"]
    assert list(load_run(live).backends) == ["faulty"]  # not counted as this run's
    ids = [p["id"] for p in doc["parity"]["pairs"]]
    assert ids == ["faulty vs numpy", "faulty vs torch", "numpy vs torch"]
    assert "exp[float32]" in {e["case"] for e in doc["parity"]["outliers"]["faulty"]}
    text = "\n".join(lines)
    assert "numpy (golden)" in text and "golden columns (shipped records" in text

    render(live, golden=False)
    doc = json.loads((live / "results.json").read_text())
    assert doc["overview"]["columns"] == ["faulty"] and doc["parity"]["pairs"] == []
    assert doc["golden"]["enabled"] is False


def test_a_golden_backend_that_ran_live_is_not_added(pair_run, copy_run, monkeypatch):
    import kconform.report.columns as columns

    golden_dir = copy_run(pair_run, "golden")
    monkeypatch.setattr(columns, "_load_golden", lambda: load_run(golden_dir))
    live = copy_run(pair_run, "live")
    render(live)
    doc = json.loads((live / "results.json").read_text())
    assert doc["overview"]["golden"] == [] and doc["overview"]["live"] == [
        "numpy",
        "torch",
    ]
    assert "every built-in backend" in doc["golden"]["note"]
