"""Whole pytest sessions: backend selection, deviations, summary, all-skipped runs."""

from __future__ import annotations

import pytest

import kconform

BACKEND = ("--backend-plugin=deviating_backend", "--backend=deviating")


def test_an_uninstalled_backend_is_a_usage_error_with_the_way_out(pytester, run_suite):
    result = pytester.runpytest_inprocess(
        "--pyargs", "kconform.suite", "--backend=nosuch"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "--backend asks for 'nosuch', which is not installed" in err
    assert "Installed backends:" in err and "numpy" in err and "try `--backend=" in err


def test_declared_deviations_are_reported_not_failed(run_suite):
    reprec, outcomes = run_suite(
        *BACKEND, "-k", "(exp or relu) and not explore and not expm1"
    )
    assert outcomes["exp[deviating-float32]"] == "deviation"
    assert outcomes["exp[deviating-float64]"] == "deviation"
    # A declared deviation that passes fails, telling the author to remove it.
    assert outcomes["relu[deviating-float32]"] == "failed"
    report = next(
        r
        for r in reprec.getreports("pytest_runtest_logreport")
        if r.nodeid.endswith("relu[deviating-float32]") and r.when == "call"
    )
    assert "declared as a deviation" in str(report.longrepr)
    assert outcomes["exp[deviating-float16]"] == "skipped"  # float16 not declared


def test_summary_counts_and_warns_about_deviations_matching_nothing(
    pytester, run_suite
):

    result = pytester.runpytest_inprocess(
        "--pyargs",
        "kconform.suite",
        *BACKEND,
        "-p",
        "no:cacheprovider",
        "-k",
        "(exp or relu) and not explore and not expm1",
    )
    out = result.stdout.str()
    assert "kconform: 1 of 1 backend not conformant" in out
    row = next(line for line in out.splitlines() if line.startswith("  deviating "))
    # the verdict line: the level, then the counts that are not zero
    assert "deviating  partial: " in row and ", 2 deviations" in row, row
    assert " unsupported" in row and "· 96/97 ops" in row, row
    assert "declared deviation 'nosuchop[deviating-*]' matches no case" in out


def test_deviations_of_cases_not_collected_are_not_stale(pytester, run_suite):
    # Only the lifecycle module: the op cases exist, this session just has none.
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "kconform.suite.test_lifecycle",
        *BACKEND,
        "-p",
        "no:cacheprovider",
        "-k",
        "mlp-create",
    )
    out = result.stdout.str()
    assert "mlp-create[deviating]" in out or "1 passed" in out
    assert "'exp[deviating-float*]' matches no case" not in out
    assert "'nosuchop[deviating-*]' matches no case" in out


def test_a_run_where_everything_was_skipped_fails(run_suite):
    reprec, outcomes = run_suite(*BACKEND, "-k", "float16 and exp and not expm1")
    assert outcomes and set(outcomes.values()) == {"skipped"}
    assert reprec.ret == pytest.ExitCode.TESTS_FAILED


def test_a_pattern_whose_cases_all_pass_is_reported_stale(pytester, run_suite):
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "kconform.suite",
        *BACKEND,
        "-p",
        "no:cacheprovider",
        "-k",
        "relu and not explore",
    )
    out = result.stdout.str()
    # relu[deviating-float32] is an exact id: its passing case fails the run.
    assert "relu[deviating-float32] passes, but it is declared" in out
    # exp[deviating-float*] matched nothing that ran here, so it is not judged.
    assert "exp[deviating-float*]" not in out
    assert (
        "declared deviation 'relu-special[deviating-*]' matched 2 cases and none failed"
        in out
    )


def test_the_header_says_what_the_session_checks(pytester, run_suite):
    result = pytester.runpytest_inprocess(
        "--pyargs", "kconform.suite", "--backend=numpy", "-k", "add-errors",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    out = result.stdout.str()
    head = out[: out.index("collected")]
    assert f"kconform {kconform.__version__}, contract " in head
    assert "tier default, profile " in head
    assert "kconform backends: numpy (numpy " in head
    assert "kconform run: " in head


def test_collect_only_writes_and_prints_no_run(pytester, run_suite):
    result = pytester.runpytest_inprocess(
        "--pyargs", "kconform.suite", "--backend=numpy", "--collect-only", "-q",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK
    out = result.stdout.str()
    assert "INCOMPLETE" not in out and "report: " not in out
    assert not (pytester.path / "reports").exists()


def test_reports_go_where_the_ini_file_says(pytester, run_suite):
    pytester.makeini("[pytest]\nkconform_reports = out/runs\n")
    sub = pytester.mkdir("elsewhere")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sub)
        result = pytester.runpytest_inprocess(
            "--pyargs", "kconform.suite", "--backend=numpy", "-k", "add-errors",
            "-p", "no:cacheprovider",
        )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK
    (run,) = (pytester.path / "out" / "runs").iterdir()
    assert (run / "results.json").is_file() and not (sub / "reports").exists()


def test_a_checkout_beside_an_installed_kconform_says_why_it_cannot_run(pytester):
    # A checkout whose kconform/ is not the kconform imported (README command 1
    # installs without -e): pytest would fail with "import file mismatch".
    pkg = pytester.mkpydir("kconform")
    (pkg / "test_inside.py").write_text("def test_x():\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "need this checkout's kconform, but kconform is imported from" in err
    assert "pytest --pyargs kconform.suite" in err
    # Running the installed suite from the same place is fine.
    ok = pytester.runpytest_inprocess(
        "--pyargs", "kconform.suite", "--backend=numpy", "-k", "add-errors",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    assert ok.ret == pytest.ExitCode.OK


def test_hypothesis_profiles_choose_the_exploration(pytester, run_suite):
    import json

    pytester.makeconftest(
        "from hypothesis import settings\n"
        "settings.register_profile('tiny', max_examples=1)\n"
    )
    for given, recorded in (
        ("tiny", "hypothesis:tiny"),
        ("kconform-dev", "dev"),  # one of kconform's, by its Hypothesis name
    ):
        out = pytester.path / f"run-{given}"
        result = pytester.runpytest_inprocess(
            "--pyargs", "kconform.suite", "--backend=numpy", "-k", "add-explore",
            f"--hypothesis-profile={given}", f"--kconform-report-dir={out}",
            "-p", "no:cacheprovider",
        )  # fmt: skip
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()
        assert f"profile {recorded}," in result.stdout.str()
        assert json.loads((out / "results.json").read_text())["profile"] == recorded
