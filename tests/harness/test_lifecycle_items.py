"""Lifecycle items: stage order, shared context, blocked stages, the lifecycle table."""

from __future__ import annotations

import pytest

# These sessions run the NumPy backend.
pytestmark = pytest.mark.needs_backend("numpy")

TOY = """
from types import SimpleNamespace as NS
from kconform.suite.lifecycle import LifecycleSuite

def create(ctx):
    ctx.state["model"] = ctx.backend.name

def fit(ctx):
    assert ctx.state["model"] == ctx.backend.name
    raise AssertionError("loss went NaN at epoch 1")

def predict(ctx):
    pass

toy = NS(name="toy", stages=[NS(name="create", run=create), NS(name="fit", run=fit),
                             NS(name="predict", run=predict)])
test_toy = LifecycleSuite(lambda: [toy])
"""


def test_stages_share_a_context_and_a_failure_blocks_the_rest(pytester):
    pytester.makepyfile(test_toy=TOY)
    result = pytester.runpytest_inprocess(
        "--backend=numpy", "-p", "no:cacheprovider", "-rs"
    )
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    out = result.stdout.str()
    assert "blocked: toy-fit[numpy] failed" in out
    assert "loss went NaN at epoch 1" in out
    result.stdout.fnmatch_lines([
        "kconform lifecycle (stage x backend)",
        "stage* numpy*",
        "toy-create* pass*",
        "toy-fit* FAIL*",
        "toy-predict* blocked*",
    ])  # fmt: skip


def _summary_rows(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("kconform: "))
    return [line for line in lines[start:] if line.startswith(("numpy ", "toy-"))]


def test_under_xdist_stages_stay_together_and_the_summary_is_the_same(pytester):
    pytest.importorskip("xdist")
    pytester.makepyfile(test_toy=TOY)
    pytester.makepyfile(test_ops="from kconform.suite.items import SpecSuite\n"
                                  "test_ops = SpecSuite()\n")  # fmt: skip
    args = ("--backend=numpy", "-p", "no:cacheprovider", "-k", "toy or relu or softmax")
    serial = pytester.runpytest_subprocess(*args)
    parallel = pytester.runpytest_subprocess(*args, "-n", "2")
    assert _summary_rows(parallel.stdout.str()) == _summary_rows(serial.stdout.str())
    parallel.stdout.fnmatch_lines(
        ["toy-create* pass*", "toy-fit* FAIL*", "toy-predict* blocked*"]
    )


ORDERED = """
from types import SimpleNamespace as NS
from kconform.suite.lifecycle import LifecycleSuite

ORDER = ("create", "compile", "fit", "save")

def stage(name):
    def run(ctx):
        ran = ctx.state.setdefault("ran", [])
        ran.append(name)
        assert tuple(ran) == ORDER[: len(ran)]
    return NS(name=name, run=run)

scenario = NS(name="ordered", stages=[stage(s) for s in ORDER])
test_ordered = LifecycleSuite(lambda: [scenario])
"""

SHUFFLER = """
import pytest

@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # What pytest-randomly does: reorder first, before every plain implementation.
    items.reverse()
    return (yield)
"""


def test_stages_run_in_order_whatever_a_shuffling_plugin_does(pytester):
    pytester.makepyfile(test_ordered=ORDERED, shuffler=SHUFFLER)
    pytester.syspathinsert()
    result = pytester.runpytest_inprocess(
        "--backend=numpy", "-p", "no:cacheprovider", "-p", "shuffler", "-v"
    )
    result.assert_outcomes(passed=4)
    names = [ln.split("::")[-1].split(" ")[0] for ln in result.outlines
             if "::ordered-" in ln and "PASSED" in ln]  # fmt: skip
    assert names == [
        f"ordered-{s}[numpy]" for s in ("create", "compile", "fit", "save")
    ]


def test_a_stage_without_its_earlier_stages_says_why(pytester):
    pytester.makepyfile(test_ordered=ORDERED)
    result = pytester.runpytest_inprocess(
        "--backend=numpy", "-p", "no:cacheprovider", "-rs", "-k", "fit or save"
    )
    result.assert_outcomes(skipped=2)
    assert (
        "blocked: ordered-fit[numpy] needs the stages before it (create, compile), "
        "which have not run in this session" in result.stdout.str()
    )


def test_pytest_randomly_does_not_break_the_lifecycle(pytester):
    pytest.importorskip("pytest_randomly")
    result = pytester.runpytest_subprocess(
        "--pyargs", "kconform.suite", "--backend=numpy", "-m", "lifecycle",
        "-p", "randomly", "-p", "no:cacheprovider", "-p", "randomly",
    )  # fmt: skip
    result.assert_outcomes(passed=40)
