"""Finishing the records of a session that died or hung (kconform.records.repair)."""

from __future__ import annotations

import numpy as np
import pytest

from kconform.records import RecordsError, RunWriter, load_run
from kconform.records.repair import describe_case, mark_unfinished, write_stub
from kconform.runner.child import signal_name, stderr_excerpt

PLANNED = [
    "exp[mine-float32]",
    "exp-grad[mine-float32]",
    "exp-errors[mine]",
    "tanh[mine-float32]",
    "mlp-fit[mine]",
]


def _checkpoint(tmp_path, done=("exp[mine-float32]",)):
    writer = RunWriter(tmp_path, run="r", profile="ci")
    writer.add_backend({"name": "mine", "info": {}, "load_error": None})
    writer.plan("mine", PLANNED)
    for cid in done:
        case = {"id": cid, "key": cid.replace("mine-", ""), "outcome": "passed"}
        writer.add_case("mine", case, {"out0": np.arange(3.0)})
    writer.checkpoint(force=True)
    return writer


@pytest.mark.parametrize(
    "case_id,expected",
    [
        ("exp[mine-float32]", ("exp", "values", "float32", None)),
        ("random_normal[mine-float64]", ("random_normal", "property", "float64", None)),
        ("exp-grad[mine-float32]", ("exp", "grad", "float32", None)),
        ("matmul-errors[mine]", ("matmul", "errors", None, None)),
        ("add-promotion[mine]", ("add", "promotion", None, None)),
        ("mlp-fit[mine]", ("mlp", "lifecycle", None, "fit")),
        ("save_load-load[mine]", ("save_load", "lifecycle", None, "load")),
    ],
)
def test_describe_case_reads_op_kind_dtype_stage(case_id, expected):
    got = describe_case(case_id, "mine")
    assert (got["op"], got["kind"], got["dtype"], got["stage"]) == expected


def test_a_timeout_marks_the_case_and_the_rest(tmp_path):
    _checkpoint(tmp_path)
    journal = [{"id": "exp-grad[mine-float32]", "key": "k", "outcome": "failed"}]
    mark_unfinished(
        tmp_path,
        "timeout",
        "exp-errors[mine]",
        "too slow",
        duration=7.5,
        finished=journal,
    )
    run = load_run(tmp_path)
    rec = run.backends["mine"]
    assert not run.complete
    assert (rec["status"], rec["status_detail"]) == ("timeout", "too slow")
    got = {cid: c["outcome"] for cid, c in rec["cases"].items()}
    assert got == {
        "exp[mine-float32]": "passed",
        "exp-grad[mine-float32]": "failed",  # from the journal, its arrays lost
        "exp-errors[mine]": "timeout",
        "tanh[mine-float32]": "not-run",
        "mlp-fit[mine]": "not-run",
    }
    assert rec["cases"]["exp-grad[mine-float32]"]["arrays"] == []
    assert rec["cases"]["exp-errors[mine]"]["duration"] == 7.5
    assert rec["cases"]["mlp-fit[mine]"]["stage"] == "fit"
    assert (
        "timed out in exp-errors[mine]" in rec["cases"]["tanh[mine-float32]"]["message"]
    )
    # the checkpoint's arrays are still read
    assert run.case_arrays("mine", rec["cases"]["exp[mine-float32]"])


def test_interrupted_marks_the_running_case_not_run(tmp_path):
    _checkpoint(tmp_path)
    mark_unfinished(tmp_path, "interrupted", "tanh[mine-float32]", "stopped")
    rec = load_run(tmp_path).backends["mine"]
    assert rec["status"] == "interrupted"
    assert rec["cases"]["tanh[mine-float32]"]["outcome"] == "not-run"


def test_mark_unfinished_refuses_what_it_cannot_do(tmp_path):
    with pytest.raises(RecordsError, match="no results.json"):
        mark_unfinished(tmp_path, "crashed", None, "x")
    _checkpoint(tmp_path)
    with pytest.raises(ValueError, match="expected one of"):
        mark_unfinished(tmp_path, "exploded", None, "x")
    with pytest.raises(RecordsError, match="no backend 'other'"):
        mark_unfinished(tmp_path, "crashed", None, "x", backend="other")


def test_a_stub_for_a_session_that_wrote_nothing(tmp_path):
    write_stub(tmp_path / "s", "mine", "crashed", "died while importing")
    run = load_run(tmp_path / "s")
    rec = run.backends["mine"]
    assert not run.complete
    assert (rec["status"], rec["status_detail"]) == ("crashed", "died while importing")
    assert rec["cases"] == {} and rec["planned"] == []


def test_stderr_excerpt_keeps_the_fatal_error_and_innermost_frames():
    lines = [
        "noise",
        "Fatal Python error: Segmentation fault",
        "Current thread 0x1 (most recent call first):",
        '  File "plugin.py", line 3 in kconform_tanh',
        *[f'  File "x.py", line {i} in f' for i in range(30)],
        "Extension modules: numpy, " + "x" * 5000,
    ]
    got = stderr_excerpt(lines, n=4)
    assert got[0].startswith("Fatal Python error") and "kconform_tanh" in got[2]
    assert len(got) == 4
    assert stderr_excerpt(["a", "b", "c"], n=2) == ["b", "c"]
    assert signal_name(-6) == "SIGABRT" and signal_name(3) == "exit code 3"
