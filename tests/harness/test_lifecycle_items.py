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
