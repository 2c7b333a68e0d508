"""The smoke tier: one canonical case per op, the error cases, the mlp scenario."""

from __future__ import annotations

from collections import Counter

import pytest


def _collected(pytester: pytest.Pytester, *args: str) -> list[str]:
    pytest.importorskip("kconform_numpy")
    reprec = pytester.inline_run(
        "--pyargs",
        "kconform.suite",
        "--backend=numpy",
        "-p",
        "no:cacheprovider",
        f"--kconform-report-dir={pytester.path / 'run'}",
        "--collect-only",
        *args,
    )
    (call,) = reprec.getcalls("pytest_collection_finish")
    return [item.name for item in call.session.items]


def test_smoke_is_every_check_kind_of_every_op_in_one_dtype_and_mlp(pytester):
    from kconform.specs import all_specs

    names = _collected(pytester, "--kconform-tier=smoke")
    main = [n for n in names if "-" not in n.split("[")[0]]
    assert Counter(n.split("[")[0] for n in main) == {s.op: 1 for s in all_specs()}
    no_float32 = {"logical_and", "logical_or", "logical_not", "random_bernoulli"}
    for name in main:
        op = name.split("[")[0]
        assert name.endswith("-float32]") or op in no_float32 | {"random_permutation"}
    assert "logical_and[numpy-bool]" in names
    assert "random_permutation[numpy-int32]" in names
    errors = {f"{s.op}-errors[numpy]" for s in all_specs() if s.errors is not None}
    assert errors and errors <= set(names)
    assert "mlp-create[numpy]" in names and "mlp-fit[numpy]" in names
    assert not [n for n in names if n.startswith("cnn-")]
    # Stratified: every kind of check of every op, in one dtype (range: int64 too).
    from kconform.suite.items import case_names

    for spec in all_specs():
        kinds = {kind for kind, _, _ in case_names(spec, "numpy")}
        smoke = [n for n in names if n.split("[")[0].startswith(spec.op)]
        got = {kind for kind, case, _ in case_names(spec, "numpy") if case in smoke}
        assert got == kinds, spec.op
        per_kind = Counter(
            kind
            for kind, case, dtype in case_names(spec, "numpy")
            if case in smoke and not (kind == "range" and dtype == "int64")
        )
        assert set(per_kind.values()) == {1}, (spec.op, per_kind)
    assert "add-range[numpy-int64]" in names and "add-range[numpy-int32]" not in names
    assert "softmax-grad[numpy-float32]" in names
    assert "softmax-grad[numpy-float64]" not in names


def test_smoke_combines_with_k(pytester):
    smoke = _collected(pytester, "--kconform-tier=smoke")
    both = _collected(pytester, "--kconform-tier=smoke", "-k", "softmax")
    assert "softmax[numpy-float32]" in both
    assert set(both) == {n for n in smoke if "softmax" in n}
