"""A backend author's journey through the real `kconform` command: scaffold, run,
read what fails and why, declare, and the contract to read while doing it."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from kconform.contract import ESSENTIAL, OPS, op_names
from kconform.deviations import match_deviation, read_deviations
from kconform.records import load_run


def _run_wrongaxis(kconform):
    """`kconform run` of the backend whose softmax uses the wrong axis, into run/."""
    return kconform(
        "run",
        "--backend-plugin=wrongaxis_backend",
        "--backend=wrongaxis",
        "--report=run",
        "--",
        "-k",
        "softmax and not explore",
    )


def test_a_real_bug_is_named_with_its_message_and_a_relative_repro(kconform, tmp_path):
    proc = _run_wrongaxis(kconform)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    # the terminal: the verdict first, then the failures with where to reproduce
    out = proc.stdout[proc.stdout.index("kconform: 1 of 1 backend not conformant") :]
    verdict = out.splitlines()[1].split()
    assert verdict[:2] == ["wrongaxis", "partial:"] and "failed" in verdict
    assert (
        f"repro: {tmp_path / 'run' / 'repro' / 'softmax-wrongaxis-float32.py'}" in out
    )

    moved = tmp_path / "downloaded" / "artifact"
    moved.parent.mkdir()
    shutil.move(str(tmp_path / "run"), moved)  # as a CI artifact is downloaded
    summary = (moved / "summary.md").read_text()
    html = (moved / "report.html").read_text()
    doc = json.loads((moved / "results.json").read_text())
    # the verdict is in the first lines, the failure by name with its message
    head = summary.splitlines()[:6]
    assert any("**wrongaxis**: partial" in line for line in head), head
    assert "## Failures (" in summary
    assert "**`softmax[wrongaxis-float32]`** failed" in summary
    case = doc["backends"]["wrongaxis"]["cases"]["softmax[wrongaxis-float32]"]
    assert "max error" in case["message"] and "oracle=" in case["message"]
    assert case["message"].split(" — repro: ")[0].split("max error", 1)[1] in summary
    # the reproduction is linked by a relative path that resolves after the move
    links = re.findall(r"\]\((repro/[^)]+)\)", summary)
    hrefs = re.findall(r'href="(repro/[^"]+)"', html)
    assert "repro/softmax-wrongaxis-float32.py" in links
    assert "repro/softmax-wrongaxis-float32.npz" in hrefs
    for rel in links + hrefs:
        assert (moved / rel).is_file(), rel
    # and nothing in the run directory's documents points at where it was made
    for text in (summary, html, json.dumps(doc)):
        assert str(tmp_path / "run") not in text
    # the selection is said: a filtered run's verdict covers what it selected
    assert "Filtered run (-k 'softmax and not explore')" in summary
    # the moved directory is still a run: it renders again where it is now
    again = kconform("report", str(moved))
    assert again.returncode == 0, again.stderr
    assert f"repro: {moved / 'repro'}" in again.stdout


def test_a_shared_cause_across_ops_is_called_out(pytester):
    # float64 results come back as float32 (a conversion bug in to_numpy)
    pytester.makepyfile(
        f32_backend="""
        import numpy as np
        import kconform_numpy
        globals().update({k: getattr(kconform_numpy, k) for k in dir(kconform_numpy)
                          if k.startswith("kconform_")})
        def kconform_backend_info():
            return {**kconform_numpy.kconform_backend_info(), "name": "f32"}
        def kconform_deviations():
            return []
        def kconform_to_numpy(x):
            a = kconform_numpy.kconform_to_numpy(x)
            return a.astype(np.float32) if a.dtype == np.float64 else a
        """
    )
    pytester.syspathinsert()
    result = pytester.runpytest_subprocess(
        "--pyargs",
        "kconform.suite",
        "--backend-plugin=f32_backend",
        "--backend=f32",
        "--kconform-report-dir=run",
        "-p",
        "no:cacheprovider",
        "-q",
        "-k",
        "float64 and not explore and not grad and (exp or log or sin or tanh or "
        "sqrt or add or multiply or sum or mean)",
    )
    assert result.ret == 1
    doc = json.loads((pytester.path / "run" / "results.json").read_text())
    causes = doc["findings"]["backends"]["f32"]["causes"]
    assert causes and causes[0]["kind"] in ("dtype", "message"), causes
    assert any(c["key"] == "float64" for c in causes if c["kind"] == "dtype"), causes
    summary = (pytester.path / "run" / "summary.md").read_text()
    assert "Probable common causes" in summary and "kconform_from_numpy" in summary
    result.stdout.fnmatch_lines(["*f32: probable cause: *float64*"])


def test_a_plugin_with_its_tensor_hooks_and_a_dozen_ops_runs_them(kconform, tmp_path):
    proc = kconform(
        "run",
        "--backend-plugin=bringup_backend",
        "--backend=bringup",
        "--tier=smoke",
        "--report=run",
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = load_run(tmp_path / "run").doc
    overview = doc["overview"]["backends"]["bringup"]
    assert overview["level"] == "partial" and not overview["load_error"]
    cases = doc["backends"]["bringup"]["cases"].values()
    passed = {c["op"] for c in cases if c["outcome"] == "passed"}
    written = {"add", "subtract", "multiply", "divide", "exp", "log", "sqrt"}
    assert written <= passed, passed
    # every other op is missing, and the report lists each one
    missing = doc["findings"]["backends"]["bringup"]["missing"]
    expected = [n for n in op_names() if n not in ESSENTIAL]
    assert len(missing) == len(expected) - 12
    assert "softmax" in missing and "add" not in missing
    missing_cases = {c["op"] for c in cases if c["outcome"] == "missing"}
    assert "softmax" in missing_cases and "matmul" in missing_cases
    # the lifecycle stage that needs an absent op is blocked by it, not failed
    fit = [c for c in cases if c["kind"] == "lifecycle"]
    assert fit and all(c["outcome"] in ("blocked", "passed") for c in fit), fit
    assert any("needs kconform_" in (c["message"] or "") for c in fit)
    summary = (tmp_path / "run" / "summary.md").read_text()
    assert "bringup: " in summary and "ops not implemented" in summary
    assert "partial" in proc.stdout and "kconform contract" in proc.stdout


def test_new_backend_writes_a_package_that_loads_and_runs_partial(
    kconform, tmp_path, cli_env
):
    proc = kconform("new-backend", "acme")
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "kconform-acme"
    assert "pip install -e ./kconform-acme\n" in proc.stdout
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["kconform.backends"] == {
        "acme": "kconform_acme"
    }
    assert read_deviations(root / "kconform_acme" / "deviations.toml") == []
    workflow = (root / ".github" / "workflows" / "kconform.yml").read_text()
    assert "kconform run --backend=acme" in workflow and "upload-artifact" in workflow
    assert "kconform run --backend=acme" in (root / "tox.ini").read_text()
    assert "## The loop" in (root / "README.md").read_text()
    # It loads and runs at once, here as a module on the path (installing it,
    # entry point and all, in a fresh venv is the packaging test's).
    path = f"{root}{os.pathsep}{cli_env['PYTHONPATH']}"
    run = kconform(
        "run",
        "--backend-plugin=kconform_acme",
        "--backend=acme",
        "--tier=smoke",
        "--report=run",
        timeout=300,
        env={"PYTHONPATH": path},
    )
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    doc = load_run(tmp_path / "run").doc
    assert doc["overview"]["backends"]["acme"]["level"] == "partial"
    outcomes = {c["outcome"] for c in doc["backends"]["acme"]["cases"].values()}
    assert "missing" in outcomes and "failed" not in outcomes, outcomes
    assert "acme  partial:" in run.stdout


def test_new_backend_refuses_a_bad_name_and_an_existing_directory(kconform, tmp_path):
    bad = kconform("new-backend", "My-Backend")
    assert (
        bad.returncode == 2
        and "lower-case" in bad.stderr
        and "'my_backend'" in bad.stderr
    )
    assert kconform("new-backend", "acme").returncode == 0
    again = kconform("new-backend", "acme")
    assert again.returncode == 2 and "exists already" in again.stderr


def test_deviations_suggest_drafts_entries_that_match_every_failure(kconform, tmp_path):
    proc = _run_wrongaxis(kconform)
    assert proc.returncode == 1
    draft = kconform("deviations", "suggest", "run")
    assert draft.returncode == 0, draft.stderr
    path = tmp_path / "deviations.toml"
    path.write_text(draft.stdout)
    entries = read_deviations(path)
    failed = [
        c["id"]
        for c in load_run(tmp_path / "run").backends["wrongaxis"]["cases"].values()
        if c["outcome"] == "failed"
    ]
    assert failed and all(match_deviation(cid, entries) for cid in failed)
    # grouped: one entry per op and kind of failure, not one per case
    assert len(tomllib.loads(draft.stdout)["deviation"]) < len(failed)
    assert all(e["reason"].startswith("TODO: why.") for e in entries)
    unknown = kconform("deviations", "suggest", "run", "--backend=nosuch")
    assert unknown.returncode == 2 and "wrongaxis" in unknown.stderr


def test_the_contract_is_whole_in_markdown_and_json(kconform):
    md = kconform("contract")
    assert md.returncode == 0
    for title in (
        "Python numbers",
        "Axes and indices",
        "What must raise, and when",
        "Random numbers and seeds",
        "Promotion table",
        "Capabilities",
    ):
        assert f"### {title}" in md.stdout, title
    assert "split ``total // 2`` before" in md.stdout  # the padding rule, nn group
    assert "| **int32** | float16 | bfloat16 | float32 |" in md.stdout
    for info in OPS.values():
        assert f"`{info.hook}(" in md.stdout, info.hook
    js = kconform("contract", "--format=json")
    doc = json.loads(js.stdout)
    hooks = {h["op"]: h for g in doc["groups"] for h in g["hooks"]}
    assert set(hooks) == set(OPS)
    assert hooks["from_numpy"]["essential"] and not hooks["jit"]["required"]
    assert doc["promotion"]["float16"]["bfloat16"] == "float32"
    assert {c["title"] for c in doc["conventions"]} >= {
        "Python numbers",
        "Capabilities",
    }


def test_a_plugin_module_off_sys_path_is_explained_by_sys_path(pytester):
    (pytester.path / "plugins").mkdir()
    (pytester.path / "plugins" / "offpath_backend.py").write_text("x = 1\n")
    result = pytester.runpytest_subprocess(
        "--pyargs", "kconform.suite", "--backend-plugin=offpath_backend"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "not importable from here" in err and "python -m pytest" in err
    assert "PYTHONPATH" in err and "entry point" in err


class _Installed:
    """The backends an environment has, as the registry lists them."""

    def __init__(self, *names: str) -> None:
        self._names = list(names)

    def names(self) -> list[str]:
        return self._names


def test_without_numpy_the_default_is_the_only_backend_or_a_clear_choice():
    from kconform.pytest_plugin import _select

    assert _select(_Installed("acme"), None, []) == ["acme"]
    assert _select(_Installed("acme", "numpy"), None, []) == ["numpy"]
    assert _select(_Installed("acme", "mlx"), None, ["mine"]) == ["mine"]
    with pytest.raises(pytest.UsageError) as info:
        _select(_Installed("acme", "mlx"), None, [])
    message = str(info.value)
    assert "numpy, is not installed" in message and "acme, mlx" in message
    assert "--backend=acme" in message and "none is installed" not in message


def test_a_plugin_that_exits_at_import_is_a_load_error_in_plain_pytest(pytester):
    (pytester.path / "plugin_exits.py").write_text("import sys\nsys.exit(0)\n")
    result = pytester.runpytest_subprocess(
        "--pyargs",
        "kconform.suite",
        "--backend-plugin=plugin_exits",
        "-k",
        "relu[numpy-float32] or backend-load",
        "-p",
        "no:cacheprovider",
    )
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, out[-3000:]
    result.assert_outcomes(passed=1, failed=1)
    assert "importing 'plugin_exits' raised SystemExit: 0" in out
