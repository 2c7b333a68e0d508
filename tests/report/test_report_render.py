"""The rendered files: Markdown tables, self-contained HTML, the CI step summary;
the pytest plugin renders at the end of a session and at checkpoints."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
from report_support import PLUGINS

from kconform.records import load_run
from kconform.report import render
from kconform.report.compare import compare_arrays
from kconform.report.markdown import md_escape


def test_a_planted_fault_is_the_outlier_and_its_ulps_are_measured(
    faulty_run, copy_run, no_golden
):
    run_dir = copy_run(faulty_run)
    lines = render(run_dir)
    doc = json.loads((run_dir / "results.json").read_text())
    outliers = doc["parity"]["outliers"]
    others = {k: v for k, v in outliers.items() if k != "faulty"}
    # (Once in CI torch was an outlier too: say where, if it happens again.)
    assert list(outliers) == ["faulty"], json.dumps(others, indent=1)[:3000]
    reasons = {e["case"]: e["reason"] for e in outliers["faulty"]}
    assert reasons["exp[float32]"] == "failed" and reasons["softmax[float32]"] == (
        "failed"
    )
    assert doc["overview"]["ops"]["exp"]["faulty"]["text"].startswith("FAIL")
    assert doc["overview"]["ops"]["exp"]["numpy"]["status"] == "pass"
    # exp is planted 300 ULPs too large: so far from numpy's, in the stored arrays
    run = load_run(run_dir)
    mine = run.backends["faulty"]["cases"]["exp[faulty-float32]"]
    theirs = run.backends["numpy"]["cases"]["exp[numpy-float32]"]
    worst = max(
        compare_arrays(a, b, "float32").ulp
        for a, b in zip(
            run.case_arrays("faulty", mine), run.case_arrays("numpy", theirs)
        )
    )
    assert 299 <= worst <= 601
    text = "\n".join(lines)
    assert "kconform ops not clean on some backend" in text
    assert re.search(r"^exp\s+FAIL \d+ \(outlier\)", text, re.M)
    assert re.search(r"^faulty: \d+ cases: ", text, re.M)


def _tables(markdown: str) -> list[list[str]]:
    tables, current = [], []
    for line in markdown.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def _columns(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_tables_keep_their_shape_whatever_the_cells_hold(
    faulty_run, copy_run, no_golden
):
    run_dir = copy_run(faulty_run)
    doc = json.loads((run_dir / "results.json").read_text())
    torch = doc["backends"]["torch"]
    torch["status"], torch["status_detail"] = "interrupted", "killed | restarted <x>"
    doc["complete"] = False
    (run_dir / "results.json").write_text(json.dumps(doc))
    render(run_dir)
    text = (run_dir / "summary.md").read_text()
    tables = _tables(text)
    assert len(tables) >= 6  # overview, ops, lifecycle, pairs, per op, lifecycle...
    for table in tables:
        width = _columns(table[0])
        assert re.fullmatch(r"\|(-+\|)+", table[1].replace(":", "-")), table[1]
        for row in table:
            assert _columns(row) == width, row
    assert "killed \\| restarted \\<x\\>" in text
    assert "> **Incomplete run**" in text
    assert md_escape("a|b*c_d") == "a\\|b\\*c\\_d"


def _no_remote_references(html: str) -> None:
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "@import" not in html and "http://" not in html and "https://" not in html


def test_html_is_self_contained_with_an_inline_plot(pair_run, copy_run, no_golden):
    pytest.importorskip("matplotlib")
    run_dir = copy_run(pair_run)
    render(run_dir)
    html = (run_dir / "report.html").read_text()
    _no_remote_references(html)
    assert "<svg" in html and "install kconform[plot]" not in html
    assert "<h2>Loss trajectories</h2>" in html and "<style>" in html
    assert html.count("<table") >= 5


def test_html_without_matplotlib_shows_the_table_and_says_how_to_get_plots(
    pair_run, copy_run, no_golden, monkeypatch
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    run_dir = copy_run(pair_run)
    render(run_dir)
    html = (run_dir / "report.html").read_text()
    _no_remote_references(html)
    assert "<svg" not in html and "install kconform[plot] for plots" in html
    assert "epoch 2" in html


def test_html_escapes_what_the_records_hold(tmp_path, no_golden, copy_run, pair_run):
    run_dir = copy_run(pair_run)
    doc = json.loads((run_dir / "results.json").read_text())
    doc["backends"]["numpy"]["stale_deviations"] = ["numpy: <b>bold</b> & more"]
    (run_dir / "results.json").write_text(json.dumps(doc))
    lines = render(run_dir)
    html = (run_dir / "report.html").read_text()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html and "<b>bold</b>" not in html
    assert "warning: numpy: <b>bold</b> & more" in lines


def test_the_step_summary_gets_summary_md_appended(
    pair_run, copy_run, tmp_path, monkeypatch, no_golden
):
    run_dir = copy_run(pair_run)
    target = tmp_path / "step_summary.md"
    target.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    render(run_dir)
    assert target.read_text() == "earlier step\n"  # only when asked
    render(run_dir, step_summary=True)
    summary = (run_dir / "summary.md").read_text()
    assert target.read_text() == "earlier step\n" + summary + "\n"
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    render(run_dir, step_summary=True)  # no variable: nothing to do, no error


def test_the_rendered_results_are_still_a_run(pair_run, copy_run, no_golden):
    run_dir = copy_run(pair_run)
    before = json.loads((run_dir / "results.json").read_text())
    render(run_dir)
    after = load_run(run_dir).doc
    assert {"overview", "parity", "golden"} <= set(after)
    assert after["backends"] == before["backends"]
    assert after["schema_version"] == before["schema_version"]
    render(run_dir)  # a second render reads its own output
    assert (
        json.loads((run_dir / "results.json").read_text())["parity"]
        == (after["parity"])
    )


# -- the pytest plugin -----------------------------------------------------------------


def _inline(pytester: pytest.Pytester, *args: str):
    pytest.importorskip("kconform_numpy")
    return pytester.runpytest_inprocess(
        "--pyargs",
        "kconform.suite",
        "-p",
        "no:cacheprovider",
        "--kconform-golden=off",
        f"--kconform-report-dir={pytester.path / 'run'}",
        *args,
    )


def test_a_session_prints_the_report_and_writes_its_files(pytester, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = _inline(pytester, "--backend=numpy", "-k", "exp and not explore")
    assert result.ret == 0
    out = result.stdout.str()
    assert "kconform: 1 backend conformant" in out
    assert "numpy  conformant: " in out
    run_dir = pytester.path / "run"
    assert f"report: {run_dir / 'summary.md'} (and report.html, results.json)" in out
    assert out.count(f"report: {run_dir / 'summary.md'}") == 1
    for name in ("summary.md", "report.html", "results.json"):
        assert (run_dir / name).is_file()
    assert "overview" in load_run(run_dir).doc


def test_a_render_failure_is_a_warning_and_the_records_stay(pytester, monkeypatch):
    import kconform.report

    def broken(*args, **kwargs):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(kconform.report, "render", broken)
    result = _inline(pytester, "--backend=numpy", "-k", "exp and not explore")
    assert result.ret == 0
    out = result.stdout.str()
    assert (
        "warning: the report could not be rendered (RuntimeError: the renderer" in out
    )
    assert "kconform report" in out
    run = load_run(pytester.path / "run")
    assert run.complete and run.backends["numpy"]["cases"]


PROBE = """
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    run = Path(session.config.getoption("kconform_report_dir"))
    seen = (run / "summary.md").exists(), (run / "report.html").exists()
    Path("seen.txt").write_text(repr(seen))
"""


def test_reports_are_rendered_at_checkpoints_before_the_session_ends(
    pytester, monkeypatch
):
    import kconform.pytest_plugin as plugin

    monkeypatch.setattr(plugin, "RENDER_EVERY", 0.0)
    pytester.makeconftest(PROBE)
    monkeypatch.syspath_prepend(str(PLUGINS))
    result = _inline(pytester, "--backend=numpy", "-k", "exp and not explore")
    assert result.ret == 0
    assert (pytester.path / "seen.txt").read_text() == "(True, True)"


def test_without_checkpoint_renders_nothing_is_there_before_the_end(
    pytester, monkeypatch
):
    """The counterpart of the test above: the probe can see a missing report."""
    import kconform.pytest_plugin as plugin

    # (a loaded machine could take the 30 s between checkpoints otherwise)
    monkeypatch.setattr(plugin, "RENDER_EVERY", 1e9)
    pytester.makeconftest(PROBE)
    result = _inline(pytester, "--backend=numpy", "-k", "exp and not explore")
    assert result.ret == 0
    assert (pytester.path / "seen.txt").read_text() == "(False, False)"


def test_golden_off_in_the_session_adds_no_columns(pytester, monkeypatch):
    import kconform.report.columns as columns
    from kconform.records import load_run as load

    calls = []
    monkeypatch.setattr(columns, "_load_golden", lambda: calls.append(1) or None)
    _inline(pytester, "--backend=numpy", "-k", "relu and not explore")
    doc = load(pytester.path / "run").doc
    assert doc["golden"]["enabled"] is False and calls == []


def test_empty_arrays_and_a_missing_arrays_file_render(tmp_path, no_golden):
    from report_support import case, make_run

    run_dir = make_run(
        tmp_path / "r",
        {
            "a": [(case("exp[a-float32]"), {"out0": np.zeros(0, np.float32)})],
            "b": [(case("exp[b-float32]"), {"out0": np.zeros(0, np.float32)})],
        },
    )
    (run_dir / "arrays" / "b.npz").unlink()
    lines = render(run_dir)
    assert any(line.startswith("report: ") for line in lines)
