"""The time each backend spends, per kind of check, in every report format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from report_support import case, make_run

from kconform.report import render
from kconform.report.terminal import terminal_lines

X = np.array([0.5, 1.0, 2.0], np.float32)


def _timed(cid: str, seconds: float, kind: str = "values") -> dict:
    return {**case(cid), "duration": seconds, "kind": kind}


def test_time_per_backend_is_compared_on_the_cases_both_ran(tmp_path, no_golden):
    cases = {
        "numpy": [
            (_timed("exp[numpy-float32]", 0.1), {"out0": X}),
            (_timed("exp-grad[numpy-float32]", 0.2, "grad"), {}),
        ],
        "slow": [
            (_timed("exp[slow-float32]", 1.0), {"out0": X}),
            (_timed("exp-grad[slow-float32]", 2.0, "grad"), {}),
            # numpy did not run this one: it is counted, never in the ratio
            (_timed("tanh[slow-float32]", 50.0), {"out0": X}),
        ],
    }
    run_dir = make_run(tmp_path / "run", cases)
    render(run_dir)
    doc = json.loads((run_dir / "results.json").read_text())
    section = doc["timing"]
    assert section["reference"] == "numpy"
    slow = section["backends"]["slow"]
    assert slow["ratio"] == 10.0 and slow["seconds"] == 53.0
    assert slow["kinds"] == {"values": 51.0, "grad": 2.0}
    assert slow["slowest"][0] == {"case": "tanh[float32]", "kind": "values",
                                  "seconds": 50.0}  # fmt: skip
    assert section["backends"]["numpy"]["ratio"] is None

    summary = (run_dir / "summary.md").read_text()
    assert "Time per backend" in summary
    timing_part = summary[summary.index("Time per backend") :]
    row = next(ln for ln in timing_part.splitlines() if ln.startswith("| slow "))
    assert "| 10 " in row and "tanh\\[float32\\] 50.0 s" in row, row
    html = (run_dir / "report.html").read_text()
    assert "Time per backend" in html and "tanh[float32] 50.0 s" in html
    lines = [str(ln) for ln in terminal_lines(doc, run_dir, [], [], width=80)]
    head = lines.index("kconform time (seconds in each backend's cases)")
    table = lines[head + 1 : head + 5]
    assert any("slow" in ln and "10" in ln and "values 51.0 s" in ln for ln in table)
    assert all(len(ln) <= 80 for ln in table)


def test_no_time_section_without_durations(tmp_path: Path, no_golden):
    entry = {**case("exp[numpy-float32]"), "duration": 0.0}
    run_dir = make_run(tmp_path / "run", {"numpy": [(entry, {"out0": X})]})
    render(run_dir)
    doc = json.loads((run_dir / "results.json").read_text())
    assert doc["timing"] == {"reference": None, "backends": {}}
    assert "Time per backend" not in (run_dir / "summary.md").read_text()
