"""`kconform run`: a pytest session per backend, merged; exit codes; hangs; crashes."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from cli_support import cases

from kconform.records import load_run

pytestmark = pytest.mark.slow

SMALL = "softmax and not explore and not grad"


def test_a_run_writes_the_report_and_prints_the_overview(kconform, cli_env, tmp_path):
    step_summary = tmp_path / "step-summary.md"
    cli_env["GITHUB_STEP_SUMMARY"] = str(step_summary)
    proc = kconform("run", "--backend=numpy", "--report=out", "--", "-k", SMALL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = tmp_path / "out"
    for name in ("results.json", "summary.md", "report.html"):
        assert (out / name).is_file(), name
    run = load_run(out)
    assert run.complete and list(run.backends) == ["numpy"]
    outcomes = Counter(c["outcome"] for c in run.backends["numpy"]["cases"].values())
    assert outcomes["passed"] >= 4 and set(outcomes) <= {"passed", "deviation"}
    # the backend's own session wrote its shard; the overview follows its output
    assert load_run(out / "shards" / "numpy").complete
    tail = proc.stdout.split("kconform: numpy: done", 1)[1]
    assert "numpy" in tail and f"report: {out / 'summary.md'}" in tail
    # the shard says where its report is; the report is printed once, merged
    assert f"report: {out / 'shards' / 'numpy' / 'summary.md'}" in proc.stdout
    assert proc.stdout.count(f"report: {out / 'summary.md'}") == 1
    assert proc.stdout.count("numpy  conformant:") == 1  # the verdict, once
    # the merged summary, once (not each backend's own)
    summary = (out / "summary.md").read_text()
    assert step_summary.read_text() == summary + "\n"


def test_the_default_report_directory_names_time_and_backends(kconform, tmp_path):
    proc = kconform("run", "--backend=numpy", "--", "-k", "relu[numpy-float32]")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (run_dir,) = (tmp_path / "reports").iterdir()
    assert run_dir.name.endswith("-numpy") and run_dir.name[:8].isdigit()
    assert f"report: {run_dir / 'summary.md'}" in proc.stdout


def test_planted_faults_exit_1(kconform, tmp_path):
    proc = kconform(
        "run",
        "--backend-plugin=faulty_backend",
        "--backend=faulty",
        "--report=out",
        "--",
        "-k",
        "exp and not explore and not expm1 and not grad",
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert cases(tmp_path / "out", "faulty")["exp[faulty-float32]"]["outcome"] == (
        "failed"
    )


def test_an_unknown_backend_exits_2_naming_the_installed_ones(kconform, tmp_path):
    proc = kconform("run", "--backend=nosuch", "--report=out")
    assert proc.returncode == 2
    assert "'nosuch'" in proc.stderr and "numpy" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_bad_arguments_exit_2(kconform):
    assert kconform("run", "--jobs=0").returncode == 2
    assert kconform("run", "--timeout=soon").returncode == 2
    assert kconform("run", "--tier=quick").returncode == 2
    proc = kconform("run", "--backend-plugin=no_such_module_anywhere")
    assert proc.returncode == 2 and "no_such_module_anywhere" in proc.stderr


def test_bad_pytest_arguments_exit_2(kconform):
    proc = kconform("run", "--backend=numpy", "--report=out", "--", "--no-such-opt")
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "--no-such-opt" in proc.stderr


def test_a_backend_that_fails_to_load_exits_2(kconform, tmp_path):
    proc = kconform(
        "run",
        "--backend-plugin=misspelt_backend",
        "--backend=misspelt,numpy",
        "--report=out",
        "--",
        "-k",
        "backend-load or relu[numpy-float32]",
    )
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]
    run = load_run(tmp_path / "out")
    assert "kconform_sofmax" in run.backends["misspelt"]["load_error"]
    assert run.backends["numpy"]["status"] == "complete"


def test_a_hanging_case_costs_its_backend_only(kconform, tmp_path):
    proc = kconform(
        "run",
        "--backend-plugin=hanging_backend",
        "--backend=hanging,numpy",
        "--timeout=5",
        "--jobs=2",
        "--report=out",
        "--",
        "-k",
        "(abs or exp) and not explore and not expm1",
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = tmp_path / "out"
    run = load_run(out)
    assert not run.complete
    hanging = run.backends["hanging"]
    assert hanging["status"] == "timeout"
    assert "exp[hanging-float16]" in hanging["status_detail"]
    assert "5 s" in hanging["status_detail"]
    got = {cid: c["outcome"] for cid, c in hanging["cases"].items()}
    assert got["exp[hanging-float16]"] == "timeout"
    assert hanging["cases"]["exp[hanging-float16]"]["duration"] >= 5
    # the cases before it finished and kept their records; those after did not run
    assert {got[f"abs[hanging-{t}]"] for t in ("float32", "float64")} == {"passed"}
    assert got["exp[hanging-float32]"] == got["exp-grad[hanging-float32]"] == "not-run"
    assert set(got.values()) == {"passed", "timeout", "not-run"}
    assert set(hanging["planned"]) == set(got)
    numpy = run.backends["numpy"]
    assert numpy["status"] == "complete"
    assert {c["outcome"] for c in numpy["cases"].values()} == {"passed"}
    assert len(numpy["cases"]) == len(hanging["cases"])
    # --jobs 2: the sessions ran side by side, each line marked with its backend
    assert "[numpy] " in proc.stdout and "[hanging] " in proc.stdout
    assert "hanging: TIMEOUT" in proc.stdout
    # the shard's own report was rendered from its completed records
    assert "timeout" in (out / "shards" / "hanging" / "summary.md").read_text()


def test_a_crash_costs_its_backend_only(kconform, tmp_path):
    proc = kconform(
        "run",
        "--backend-plugin=crashing_backend",
        "--backend=crashing,numpy",
        "--report=out",
        "--",
        "-k",
        "(abs or tanh) and not explore",
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    shard = json.loads((tmp_path / "out/shards/crashing/results.json").read_text())
    crashing = shard["backends"]["crashing"]
    assert crashing["status"] == "crashed"
    detail = crashing["status_detail"]
    assert "SIGABRT" in detail and "tanh[crashing-float16]" in detail
    assert "kconform_tanh" in detail  # the crashing frame, from faulthandler
    got = {cid: c["outcome"] for cid, c in crashing["cases"].items()}
    assert got["tanh[crashing-float16]"] == "crashed"
    assert got["abs[crashing-float32]"] == "passed"  # finished before the crash
    assert got["tanh[crashing-float32]"] == "not-run"
    assert set(got.values()) == {"passed", "crashed", "not-run"}
    numpy = cases(tmp_path / "out", "numpy")
    assert {c["outcome"] for c in numpy.values()} == {"passed"}
    assert len(numpy) == len(got)


@pytest.mark.parametrize(
    "name, says",
    [("exiting", "exit code 0"), ("segfaulting", "SIGSEGV")],
)
def test_an_op_that_ends_the_interpreter_costs_its_backend_only(
    kconform, tmp_path, name, says
):
    """``os._exit(0)`` (no exception, no signal, exit code 0) and a real
    segmentation fault, each beside the genuine NumPy backend."""
    proc = kconform(
        "run",
        f"--backend-plugin={name}_backend",
        f"--backend={name},numpy",
        "--report=out",
        "--",
        "-k",
        "(abs or tanh) and not explore",
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    shard = json.loads((tmp_path / f"out/shards/{name}/results.json").read_text())
    broken = shard["backends"][name]
    assert broken["status"] == "crashed"
    assert says in broken["status_detail"]
    got = {cid: c["outcome"] for cid, c in broken["cases"].items()}
    assert got[f"tanh[{name}-float16]"] == "crashed"
    assert got[f"abs[{name}-float32]"] == "passed"
    assert "not-run" in got.values()
    numpy = cases(tmp_path / "out", "numpy")
    assert {c["outcome"] for c in numpy.values()} == {"passed"}
    assert len(numpy) == len(got)


#: Plugin modules that misbehave at import, and what their load error says.
IMPORT_FAULTS = {
    "exits": ("import sys\nsys.exit(0)\n", "raised SystemExit: 0"),
    "quits": ("import os\nos._exit(0)\n", "ended the interpreter with exit code 0"),
    "hangs": ("import time\ntime.sleep(3600)\n", "the import hangs"),
    "aborts": ("import os\nos.abort()\n", "was killed by SIGABRT"),
    "fails": ("raise RuntimeError('broken plugin')\n", "RuntimeError: broken plugin"),
}


@pytest.mark.parametrize("fault", sorted(IMPORT_FAULTS))
def test_a_plugin_misbehaving_at_import_is_its_load_error(kconform, tmp_path, fault):
    source, said = IMPORT_FAULTS[fault]
    (tmp_path / f"plugin_{fault}.py").write_text(source)
    proc = kconform(
        "run",
        f"--backend-plugin=plugin_{fault}",
        "--report=out",
        "--timeout=10",
        "--",
        "-k",
        "relu and not explore",
    )
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]
    run = load_run(tmp_path / "out")
    record = run.backends[f"plugin_{fault}"]
    assert said in record["load_error"], record["load_error"]
    numpy = run.backends["numpy"]  # the other backend ran in full
    assert numpy["status"] == "complete"
    assert {c["outcome"] for c in numpy["cases"].values()} == {"passed"}
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert f"plugin_{fault}" in summary and "load error" in summary


def test_base_exceptions_from_ops_fail_their_case_and_the_session_goes_on(
    kconform, tmp_path
):
    proc = kconform(
        "run",
        "--backend-plugin=misbehaving_backend",
        "--backend=misbehaving",
        "--report=out",
        "--",
        "-k",
        "(tanh or sin or cos or relu) and not explore and not grad",
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    got = cases(tmp_path / "out", "misbehaving")
    assert load_run(tmp_path / "out").backends["misbehaving"]["status"] == "complete"
    assert got["relu[misbehaving-float32]"]["outcome"] == "passed"
    for case, said in (
        ("tanh[misbehaving-float32]", "raised KeyboardInterrupt"),
        ("cos[misbehaving-float32]", "raised SystemExit: 3"),
        ("sin[misbehaving-float32]", "to_numpy cannot read: RuntimeError"),
    ):
        assert got[case]["outcome"] == "failed", case
        assert said in got[case]["message"], got[case]["message"]
