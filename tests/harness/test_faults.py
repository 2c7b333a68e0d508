"""A deliberately wrong backend: each planted fault is caught by its intended case."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

FAULTS = [
    # (fault, the case that must fail, a case of the same op that must still pass)
    (
        "softmax over the wrong axis",
        "softmax[faulty-float32]",
        "log_softmax[faulty-float32]",
    ),
    ("exp 300 ULPs off", "exp[faulty-float32]", "expm1[faulty-float32]"),
    (
        "tanh gradient with the wrong sign",
        "tanh-grad[faulty-float32]",
        "tanh[faulty-float32]",
    ),
    ("int32 + float32 gives float64", "add-promotion[faulty]", "add[faulty-float32]"),
    (
        "matmul silently truncates mismatched shapes",
        "matmul-errors[faulty]",
        "matmul[faulty-float32]",
    ),
    (
        # an inaccurate op must not read as an autodiff fault
        "sin 300 ULPs off, autodiff exact",
        "sin[faulty-float64]",
        "value_and_grad[faulty-float64]",
    ),
    (
        "uniform draws rounded up to maxval in float16",
        "random_uniform[faulty-float16]",
        "random_uniform[faulty-float32]",
    ),
    # Faults beyond the canonical few units: only the whole range reaches them.
    (
        "softplus returns x above 10",
        "softplus-range[faulty-float32]",
        "softplus-special[faulty-float32]",
    ),
    (
        "a zero product loses its sign",
        "multiply-range[faulty-float32]",
        "multiply[faulty-float32]",
    ),
    (
        "float64 to float16 rounded twice, through float32",
        "cast-range[faulty-float64]",
        "cast[faulty-float64]",
    ),
    (
        "int64 subtraction computed in int32",
        "subtract-range[faulty-int64]",
        "subtract[faulty-int64]",
    ),
    (
        "float16 gelu computed in float16, its tail cancelled to -0",
        "gelu-range[faulty-float16]",
        "gelu-range[faulty-float32]",
    ),
]

#: Faults the smoke tier must catch too: its sample covers every check kind.
SMOKE_CAUGHT = [
    "tanh-grad[faulty-float32]",
    "add-promotion[faulty]",
    "matmul-errors[faulty]",
    "softplus-range[faulty-float32]",
    "multiply-range[faulty-float32]",
    "subtract-range[faulty-int64]",
    "softmax[faulty-float32]",
]


def _op(case_id: str) -> str:
    return case_id.split("[")[0].split("-")[0]


@pytest.mark.parametrize("fault,failing,passing", FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_is_caught_by_its_case(run_suite, fault, failing, passing):
    _, outcomes = run_suite(
        "--backend-plugin=faulty_backend",
        "--backend=faulty",
        "-k",
        f"({_op(failing)} or {_op(passing)}) and not explore",
    )
    assert outcomes[failing] == "failed", f"{fault}: {failing} did not fail"
    assert outcomes[passing] == "passed", f"{fault}: {passing} should still pass"


def test_an_invalid_call_generated_from_a_shape_rule_catches_a_lenient_check(
    run_suite,
):
    reprec, outcomes = run_suite(
        "--backend-plugin=lenient_backend",
        "--backend=lenient",
        "-k",
        "matmul and not explore",
    )
    assert outcomes["matmul[lenient-float32]"] == "passed"
    assert outcomes["matmul-errors[lenient]"] == "failed"
    assert "contracted dim 4 against 1" in _failure(reprec, "matmul-errors[lenient]")


@pytest.mark.parametrize(
    "op, says",
    [
        ("pad", "3 pairs for rank 2"),
        ("einsum", "label 'b' 2 vs 3"),
        ("conv2d", "4 in-channels"),
    ],
)
def test_generated_invalid_calls_catch_lenient_pad_einsum_and_conv(run_suite, op, says):
    reprec, outcomes = run_suite(
        "--backend-plugin=lenient_backend",
        "--backend=lenient",
        "-k",
        f"{op} and not explore and not range",
    )
    assert outcomes[f"{op}[lenient-float32]"] == "passed"
    assert outcomes[f"{op}-errors[lenient]"] == "failed"
    assert says in _failure(reprec, f"{op}-errors[lenient]")


def test_the_smoke_tier_catches_a_fault_of_every_check_kind(run_suite):
    _, outcomes = run_suite(
        "--backend-plugin=faulty_backend",
        "--backend=faulty",
        "--kconform-tier=smoke",
        "-k",
        "tanh or add or matmul or softplus or multiply or subtract or softmax",
    )
    missed = [case for case in SMOKE_CAUGHT if outcomes.get(case) != "failed"]
    assert not missed, f"the smoke tier let through: {missed}"


def _run_repro(script: str, as_file: bool = True) -> subprocess.CompletedProcess:
    """Run a reproduction script with the planted-fault backend importable
    (``as_file``: as a file, beside its ``.npz``; else pasted, as from a log)."""
    plugins = str(Path(__file__).parent.parent / "plugins")
    where = f", {{'__file__': {script!r}}}" if as_file else ""
    code = (
        f"import sys; sys.path.insert(0, {plugins!r}); import kconform; "
        "r = kconform._registry = kconform.BackendRegistry(); "
        "r.add_module('faulty_backend'); "
        f"exec(open({script!r}).read(){where})"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )


def _failure(reprec, case_id: str) -> str:
    """The failure text pytest reported for ``case_id``."""
    report = next(
        r
        for r in reprec.getreports("pytest_runtest_logreport")
        if r.nodeid.endswith(case_id) and r.when == "call"
    )
    return str(report.longrepr)


def _script_of(reprec, case_id: str) -> str:
    text = _failure(reprec, case_id)
    return text.split("Standalone reproduction (")[1].split("):")[0]


def test_failures_say_what_where_and_how_to_reproduce(run_suite, tmp_path):
    reprec, outcomes = run_suite(
        "--backend-plugin=faulty_backend",
        "--backend=faulty",
        "-k",
        "exp and not explore and not expm1 and not grad",
    )
    text = _failure(reprec, "exp[faulty-float32]")
    assert "exp[faulty-float32] max error" in text and "> budget 4 ulp at" in text
    assert "faulty=" in text and "oracle=" in text
    # the message names the script relative to the run directory (it is kept in
    # the records); pytest's report gives where it is on this machine
    assert " — repro: repro/exp-faulty-float32.py" in text
    script = text.split("Standalone reproduction (")[1].split("):")[0]
    # The reproduction runs alone (pasted from the log) and shows the failure.
    out = _run_repro(script, as_file=False)
    assert "max error" in out.stdout and "> budget 4 ulp" in out.stdout, out.stderr[
        -2000:
    ]
    # Beside its script, the inputs as .npz: the script reads them when run as a file.
    inputs = script[: -len(".py")] + ".npz"
    with np.load(inputs) as saved:
        assert saved["arg0"].size and str(saved["dtype0"]) == "float32"
    out = _run_repro(script)
    assert "> budget 4 ulp" in out.stdout, out.stderr[-2000:]


def test_a_gradient_failure_reproduces_as_a_gradient_failure(run_suite):
    reprec, outcomes = run_suite(
        "--backend-plugin=faulty_backend", "--backend=faulty", "-k", "tanh-grad"
    )
    assert outcomes["tanh-grad[faulty-float32]"] == "failed"
    out = _run_repro(_script_of(reprec, "tanh-grad[faulty-float32]"))
    # the script reruns the gradient check (the forward tanh is right)
    assert "tanh-grad[faulty-float32] gradient of argument 0 error" in out.stdout, (
        out.stdout + out.stderr[-2000:]
    )
    assert "> budget 32 eps" in out.stdout


def test_a_misspelt_hook_costs_its_backend_only(run_suite):
    reprec, outcomes = run_suite(
        "--backend-plugin=misspelt_backend",
        "--backend=misspelt,numpy",
        "-k",
        "load or (relu and not explore)",
    )
    assert outcomes["backend-load[misspelt]"] == "failed"
    assert outcomes["relu[numpy-float32]"] == "passed"
    report = next(
        r
        for r in reprec.getreports("pytest_runtest_logreport")
        if r.nodeid.endswith("backend-load[misspelt]") and r.when == "call"
    )
    assert "did you mean 'kconform_softmax'?" in str(report.longrepr)


def test_a_training_that_drifts_fails_against_the_float64_reference(run_suite):
    reprec, outcomes = run_suite(
        "--backend-plugin=drifting_backend",
        "--backend=drifting",
        "-k",
        "mlp- or (sqrt and not explore)",
    )
    assert outcomes["sqrt[drifting-float32]"] == "passed"
    assert outcomes["mlp-create[drifting]"] == "passed"
    assert outcomes["mlp-fit[drifting]"] == "failed"
    # the stages after it still run, against the reference too
    assert outcomes["mlp-save[drifting]"] == "passed"
    text = _failure(reprec, "mlp-fit[drifting]")
    assert "from the float64 reference, tolerance" in text
