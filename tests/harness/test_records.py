"""Records: what a session writes; xdist writes the same; a kill leaves them valid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kconform.records import RecordsError, RunWriter, load_run
from kconform.records.schema import case_key, decode_array, encode_array

SUBSET = "softmax or exp or matmul or mlp-"


def _run_dir(pytester: pytest.Pytester, name: str, *args: str) -> Path:
    out = pytester.path / name
    result = pytester.runpytest_subprocess(
        "--pyargs",
        "kconform.suite",
        "-p",
        "no:cacheprovider",
        f"--kconform-report-dir={out}",
        *args,
    )
    assert result.ret == 0, result.stdout.str()[-3000:]
    return out


def _numbers(run_dir: Path) -> tuple[dict, dict]:
    """Every case record without timings, and every array, of a run."""
    run = load_run(run_dir)
    cases, arrays = {}, {}
    for name, rec in run.backends.items():
        for cid, case in rec["cases"].items():
            cases[name, cid] = {k: v for k, v in case.items() if k != "duration"}
        arrays[name] = run.arrays(name)
    return cases, arrays


def test_case_key_drops_the_backend_only():
    assert case_key("softmax[torch-float32]", "torch") == "softmax[float32]"
    assert case_key("matmul-errors[jax]", "jax") == "matmul-errors"
    assert case_key("mlp-fit[tensorflow]", "tensorflow") == "mlp-fit"
    assert case_key("exp-grad[oracle-float64]", "numpy") == "exp-grad[oracle-float64]"


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int64", "bool"])
def test_arrays_survive_encoding(dtype):
    from kconform.dtypes import to_numpy_dtype

    a = np.arange(6).reshape(2, 3).astype(to_numpy_dtype(dtype))
    back = decode_array(encode_array(a))
    assert back.shape == (2, 3)
    assert np.array_equal(back.astype(np.float64), a.astype(np.float64))


def test_a_checkpoint_is_a_valid_incomplete_run_and_finish_consolidates(tmp_path):
    w = RunWriter(tmp_path, run="r", profile="ci", interval=0.0)
    w.add_backend({"name": "numpy", "info": {}})
    w.plan("numpy", ["exp[numpy-float32]", "tanh[numpy-float32]"])
    case = {"id": "exp[numpy-float32]", "key": "exp[float32]", "outcome": "passed"}
    w.add_case("numpy", case, {"out0": np.ones(3, np.float32)})
    assert w.checkpoint()
    run = load_run(tmp_path)
    assert not run.complete
    assert run.backends["numpy"]["array_parts"] == ["arrays/numpy.part0.npz"]
    exp = run.backends["numpy"]["cases"]["exp[numpy-float32]"]
    assert np.array_equal(run.case_arrays("numpy", exp)[0], np.ones(3))
    w.finish(complete=True)
    run = load_run(tmp_path)
    assert not run.complete  # tanh never ran
    assert run.backends["numpy"]["status"] == "incomplete"
    assert "1 planned cases did not run" in run.backends["numpy"]["status_detail"]
    assert sorted(p.name for p in (tmp_path / "arrays").iterdir()) == ["numpy.npz"]
    assert list(run.arrays("numpy")) == ["exp[float32]/out0"]


def test_load_run_explains_what_is_wrong(tmp_path):
    with pytest.raises(RecordsError, match="no results.json"):
        load_run(tmp_path)
    (tmp_path / "results.json").write_text("{")
    with pytest.raises(RecordsError, match="not valid JSON"):
        load_run(tmp_path)
    (tmp_path / "results.json").write_text(
        json.dumps({"schema": "kconform-results", "schema_version": 99})
    )
    with pytest.raises(RecordsError, match="schema version 99"):
        load_run(tmp_path)


@pytest.mark.needs_backend("numpy")
def test_a_session_records_every_case_with_outputs_and_errors(pytester):
    run_dir = _run_dir(pytester, "run", "--backend=numpy", "-k", SUBSET)
    run = load_run(run_dir)
    assert run.complete
    rec = run.backends["numpy"]
    assert rec["status"] == "complete"
    assert rec["info"]["framework"] == "numpy"
    assert rec["host"]["cpu"] and rec["host"]["python"].count(".") == 2
    assert set(rec["planned"]) == set(rec["cases"])
    softmax = rec["cases"]["softmax[numpy-float32]"]
    assert softmax["outcome"] == "passed"
    assert softmax["key"] == "softmax[float32]"
    assert "bound" in softmax["error"] or "ulp" in softmax["error"]
    assert softmax["arrays"] and run.case_arrays("numpy", softmax)[0].ndim >= 1
    fit = rec["cases"]["mlp-fit[numpy]"]
    assert {"epoch_losses", "final_weights/0"} <= set(fit["arrays"])
    assert (run_dir / "repro").exists() is False  # nothing failed


@pytest.mark.needs_backend("numpy", "torch")
def test_xdist_writes_the_same_records(pytester):
    pytest.importorskip("xdist")
    args = ("--backend=numpy,torch", "-k", SUBSET)
    serial = _numbers(_run_dir(pytester, "serial", *args))
    parallel = _numbers(_run_dir(pytester, "parallel", *args, "-n", "2"))
    assert serial[0] == parallel[0]
    for name, arrays in serial[1].items():
        assert sorted(arrays) == sorted(parallel[1][name])
        for key, a in arrays.items():
            np.testing.assert_array_equal(a, parallel[1][name][key], err_msg=key)


@pytest.mark.needs_backend("numpy")
def test_ctrl_c_leaves_a_valid_incomplete_run(tmp_path):
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "--pyargs", "kconform.suite",
         "--backend=numpy", "-p", "no:cacheprovider", "-q",
         f"--kconform-report-dir={run_dir}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    results = run_dir / "results.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if results.exists() and load_run(run_dir).backends["numpy"]["cases"]:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    run = load_run(run_dir)
    rec = run.backends["numpy"]
    assert not run.complete, out.decode()[-2000:]
    assert rec["status"] == "interrupted"
    assert 0 < len(rec["cases"]) < len(rec["planned"])
    assert all(case_key(cid, "numpy") == c["key"] for cid, c in rec["cases"].items())
    # Everything the JSON names is on disk and readable.
    for case in rec["cases"].values():
        assert len(run.case_arrays("numpy", case)) == len(case["arrays"])


@pytest.mark.needs_backend("numpy")
def test_sigkill_leaves_the_last_checkpoint_valid(tmp_path):
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "--pyargs", "kconform.suite",
         "--backend=numpy", "-p", "no:cacheprovider", "-q",
         f"--kconform-report-dir={run_dir}"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    results = run_dir / "results.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if results.exists() and load_run(run_dir).backends["numpy"]["cases"]:
            break
        time.sleep(0.2)
    time.sleep(1.0)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.kill()
    proc.wait()
    run = load_run(run_dir)
    rec = run.backends["numpy"]
    assert not run.complete
    assert rec["cases"]
    for case in rec["cases"].values():
        assert len(run.case_arrays("numpy", case)) == len(case["arrays"])


@pytest.mark.needs_backend("numpy")
def test_under_xdist_reproductions_go_into_the_run_directory(pytester, monkeypatch):
    pytest.importorskip("xdist")
    plugins = Path(__file__).parent.parent / "plugins"
    monkeypatch.setenv("PYTHONPATH", str(plugins))
    result = pytester.runpytest_subprocess(
        "--pyargs", "kconform.suite", "-p", "no:cacheprovider",
        "--backend-plugin=faulty_backend", "--backend=faulty",
        "-k", "exp and not explore and not expm1 and not grad", "-n", "2",
    )  # fmt: skip
    assert result.ret == 1, result.stdout.str()[-2000:]
    (run_dir,) = (pytester.path / "reports").iterdir()
    assert (run_dir / "results.json").exists()
    assert (run_dir / "repro" / "exp-faulty-float32.py").exists()


def test_junit_gets_small_scalars_and_the_records_stay_whole(pytester, run_suite):
    import json
    import xml.etree.ElementTree as ET

    out = pytester.path / "run"
    junit = pytester.path / "j.xml"
    result = pytester.runpytest_inprocess(
        "--pyargs", "kconform.suite", "--backend=numpy", "-k",
        "(softmax and float32 and not explore) or mlp-",
        f"--junitxml={junit}", f"--kconform-report-dir={out}",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()
    props = [
        (p.get("name"), p.get("value"))
        for p in ET.parse(junit).getroot().iter("property")
    ]
    assert props and max(len(v) for _, v in props) < 10_000
    names = {n for n, _ in props}
    assert "kconform" not in names and {"kconform_outcome", "kconform_worst"} <= names
    assert ("kconform_outcome", "passed") in props
    cases = json.loads((out / "results.json").read_text())["backends"]["numpy"]["cases"]
    assert cases["softmax[numpy-float32]"]["arrays"]  # outputs still recorded
    assert cases["mlp-fit[numpy]"]["arrays"]
