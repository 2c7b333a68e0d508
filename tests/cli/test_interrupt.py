"""Stopping `kconform run` midway leaves a valid, incomplete report."""

from __future__ import annotations

import json
import os
import signal

import pytest
from cli_support import wait_for

from kconform.records import load_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="POSIX signals and process groups"),
]


def _cases_so_far(shard):
    """The cases in a shard's last checkpoint (0 while there is none)."""
    try:
        doc = json.loads((shard / "results.json").read_text())
    except (OSError, ValueError):
        return 0
    return len(doc["backends"]["numpy"]["cases"])


def _session_pid(shard):
    try:
        return json.loads((shard / "heartbeat.json").read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def _alive(pid):
    """Whether ``pid`` runs (a zombie nobody reaped yet does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        return True
    return "\nState:\tZ" not in status


def test_sigint_writes_an_incomplete_report(start_kconform, kconform, tmp_path):
    proc = start_kconform("run", "--backend=numpy", "--report=out")
    shard = tmp_path / "out" / "shards" / "numpy"
    wait_for(lambda: _cases_so_far(shard) > 0, 120, "a first checkpoint")
    os.kill(proc.pid, signal.SIGINT)  # what Ctrl-C sends
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout[-3000:] + stderr[-3000:]
    assert "interrupted by SIGINT" in stdout
    run = load_run(tmp_path / "out")
    assert not run.complete
    numpy = run.backends["numpy"]
    assert numpy["status"] == "interrupted"
    assert 0 < len(numpy["cases"]) < len(numpy["planned"])
    assert (tmp_path / "out" / "summary.md").is_file()
    again = kconform("report", "out")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "numpy" in again.stdout


def test_sigkill_of_everything_leaves_the_last_checkpoint(
    start_kconform, kconform, tmp_path
):
    proc = start_kconform("run", "--backend=numpy", "--report=out")
    shard = tmp_path / "out" / "shards" / "numpy"
    wait_for(lambda: _cases_so_far(shard) > 0, 120, "a first checkpoint")
    session = wait_for(lambda: _session_pid(shard), 30, "the session's heartbeat")
    os.killpg(proc.pid, signal.SIGKILL)
    os.killpg(session, signal.SIGKILL)
    proc.communicate(timeout=30)
    wait_for(lambda: not _alive(session), 30, "the session to die")
    shard_run = load_run(shard)  # valid JSON: every write was atomic
    assert not shard_run.complete
    assert shard_run.backends["numpy"]["status"] == "incomplete"
    merged = kconform("report", "merge", str(shard), "--out", "merged")
    assert merged.returncode == 0, merged.stdout[-3000:] + merged.stderr[-3000:]
    run = load_run(tmp_path / "merged")
    assert not run.complete and run.backends["numpy"]["cases"]
    assert (tmp_path / "merged" / "summary.md").is_file()
    # `kconform report` on the killed run's directory rebuilds it from its shards
    if not (tmp_path / "out" / "results.json").exists():
        again = kconform("report", "out")
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert "merging the 1 backend shard(s)" in again.stdout
    assert load_run(tmp_path / "out").backends["numpy"]["cases"]


def test_a_session_whose_runner_dies_stops_and_finishes_its_records(
    start_kconform, tmp_path
):
    proc = start_kconform("run", "--backend=numpy", "--report=out")
    shard = tmp_path / "out" / "shards" / "numpy"
    wait_for(lambda: _cases_so_far(shard) > 0, 120, "a first checkpoint")
    session = wait_for(lambda: _session_pid(shard), 30, "the session's heartbeat")
    os.killpg(proc.pid, signal.SIGKILL)  # the runner only: the session is orphaned
    proc.communicate(timeout=30)
    wait_for(lambda: not _alive(session), 60, "the orphaned session to stop")
    numpy = load_run(shard).backends["numpy"]
    assert numpy["status"] == "interrupted"
    assert 0 < len(numpy["cases"]) < len(numpy["planned"])


def _current_case(heartbeat):
    try:
        return json.loads(heartbeat.read_text()).get("case") or ""
    except (OSError, ValueError, AttributeError):
        return ""


def _signal_hanging_session(tmp_path, cli_env, prefix, signum, *args, timeout=120):
    """Plain ``pytest`` on the hanging backend (its ``exp`` never returns): wait
    until the heartbeat shows a case starting with ``prefix``, send ``signum``;
    the exit code and stdout (the session is killed if it does not stop)."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--pyargs",
            "kconform.suite",
            "--backend-plugin=hanging_backend",
            "--backend=hanging",
            *args,
            "--kconform-report-dir=out",
            "--kconform-heartbeat=out/heartbeat.json",
        ],
        cwd=tmp_path,
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    heartbeat = tmp_path / "out" / "heartbeat.json"
    try:
        wait_for(
            lambda: _current_case(heartbeat).startswith(prefix), 180, f"a {prefix} case"
        )
        os.kill(proc.pid, signum)
        stdout, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return proc.returncode, stdout


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_plain_pytest_keeps_every_finished_case_on_a_signal(
    tmp_path, cli_env, kconform, signum
):
    """Plain ``pytest``, no ``kconform run``: the signal ends the session, which
    writes the records of every case that finished, and none is failed by it.

    The backend's ``exp`` hangs (tests/plugins/hanging_backend.py), so the
    signal surely lands while a case runs, as a CI job's timeout would."""
    returncode, stdout = _signal_hanging_session(tmp_path, cli_env, "exp[", signum)
    assert returncode == pytest.ExitCode.INTERRUPTED, stdout[-3000:]
    hanging = load_run(tmp_path / "out").backends["hanging"]
    assert hanging["status"] == "interrupted"
    finished = hanging["cases"]
    passed = [c for c in stdout.splitlines() if "passed" in c]
    assert finished and passed, stdout[-2000:]
    assert not any(k.startswith("exp[") for k in finished), sorted(finished)[:20]
    outcomes = {c["outcome"] for c in finished.values()}
    assert outcomes <= {"passed", "deviation", "missing"}, outcomes
    assert (tmp_path / "out" / "summary.md").is_file()
    assert kconform("report", "out").returncode == 0


def test_one_ctrl_c_stops_a_session_inside_hypothesis(tmp_path, cli_env, kconform):
    """The hanging ``exp`` runs inside Hypothesis's exploration (which catches
    exceptions around each example): one SIGINT still ends the session."""
    returncode, stdout = _signal_hanging_session(
        tmp_path,
        cli_env,
        "exp-explore[",
        signal.SIGINT,
        "-k",
        "explore and (abs or exp)",
        timeout=60,
    )
    assert returncode == pytest.ExitCode.INTERRUPTED, stdout[-3000:]
    hanging = load_run(tmp_path / "out").backends["hanging"]
    assert hanging["status"] == "interrupted"
    outcomes = {c["outcome"] for c in hanging["cases"].values()}
    assert outcomes <= {"passed", "deviation", "missing"}, outcomes
