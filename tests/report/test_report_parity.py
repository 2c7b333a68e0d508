"""Parity, consensus and overview on hand-made run directories (real files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from report_support import case as _case
from report_support import make_run

from kconform.records import load_run
from kconform.report import render

ONE = np.float32(1.0)
NEXT = np.nextafter(ONE, np.float32(2))


def _doc(run_dir: Path) -> dict[str, Any]:
    text = (run_dir / "results.json").read_text()

    def strict(token: str) -> None:
        raise AssertionError(f"results.json holds {token}: not strict JSON")

    return json.loads(text, parse_constant=strict)


@pytest.fixture
def three(tmp_path: Path, no_golden: None) -> Path:
    x = np.array([0.5, ONE, 2.0], np.float32)
    off = np.array([0.5, NEXT, 2.0], np.float32)  # one element one ULP up
    cases: dict[str, list] = {}
    for name in ("a", "b", "c"):
        exp_out = off if name == "b" else x
        cases[name] = [
            (_case(f"exp[{name}-float32]"), {"out0": exp_out}),
            (_case(f"tanh[{name}-float32]"), {"out0": x}),
            (
                _case(f"argmax[{name}-float32]", error={}),
                {"out0": np.array([0, 1, 2]) if name != "c" else np.array([0, 2, 2])},
            ),
        ]
    # consensus: c alone fails relu; c alone is a deviation on sin; b and c fail cos
    for name in ("a", "b", "c"):
        relu = "failed" if name == "c" else "passed"
        sin = "deviation" if name == "c" else "passed"
        cos = "passed" if name == "a" else "failed"
        cases[name] += [
            (_case(f"relu[{name}-float32]", relu), {}),
            (
                _case(
                    f"sin[{name}-float32]",
                    sin,
                    deviation="sin*" if sin != "passed" else None,
                ),
                {},
            ),
            (_case(f"cos[{name}-float32]", cos), {}),
        ]
    # softmax: c fails, but only two backends judged it (b did not implement it)
    cases["a"].append((_case("softmax[a-float32]"), {}))
    cases["b"].append((_case("softmax[b-float32]", "missing"), {}))
    cases["c"].append((_case("softmax[c-float32]", "failed"), {}))
    return make_run(tmp_path / "three", cases)


def test_pairs_count_identical_cases_and_name_the_worst(three):
    render(three)
    parity = _doc(three)["parity"]
    pairs = {p["id"]: p for p in parity["pairs"]}
    assert list(pairs) == ["a vs b", "a vs c", "b vs c"]
    ab = pairs["a vs b"]
    assert (ab["cases"], ab["identical"], ab["differing"]) == (3, 2, 1)
    assert ab["worst_ulp"] == {"value": 1.0, "case": "exp[float32]"}
    assert ab["worst_rel"]["case"] == "exp[float32]"
    assert ab["worst_rel"]["value"] == pytest.approx(float(NEXT - ONE) / float(NEXT))
    # normwise: against the largest magnitude of the case's output (2.0)
    assert ab["worst_scaled"]["case"] == "exp[float32]"
    assert ab["worst_scaled"]["value"] == pytest.approx(float(NEXT - ONE) / 2.0)
    assert ab["exact_mismatch"] == 0 and ab["shape_mismatch"] == 0
    ac = pairs["a vs c"]
    assert (ac["identical"], ac["exact_mismatch"]) == (2, 1)
    assert ac["worst_ulp"]["value"] == 0.0
    assert parity["ops"]["exp"]["a vs b"]["worst_ulp"]["value"] == 1.0
    assert parity["ops"]["argmax"]["b vs c"]["exact_mismatch"] == 1
    assert [e["case"] for e in ab["largest"]] == ["exp[float32]"]


def test_the_one_backend_against_all_others_is_the_outlier(three):
    render(three)
    outliers = _doc(three)["parity"]["outliers"]
    assert list(outliers) == ["c"]
    found = {e["case"]: e["reason"] for e in outliers["c"]}
    # relu: c alone failed; sin: c alone is a deviation. cos: two failed, no
    # consensus; softmax: only two backends judged it.
    assert found == {"relu[float32]": "failed", "sin[float32]": "deviation"}
    assert "passed on a, b" in outliers["c"][0]["detail"]
    ov = _doc(three)["overview"]
    assert ov["backends"]["c"]["outliers"] == 2
    assert ov["ops"]["relu"]["c"]["text"] == "FAIL 1 (outlier)"
    assert "relu" in ov["not_clean_ops"] and "tanh" not in ov["not_clean_ops"]


def test_op_matrix_cells_and_levels(three):
    lines = render(three)
    ov = _doc(three)["overview"]
    assert ov["ops"]["exp"]["a"]["text"] == "0.5 ulp"
    assert ov["ops"]["argmax"]["a"]["text"] == "exact"
    assert ov["ops"]["softmax"]["b"]["text"] == "missing"
    assert ov["ops"]["sin"]["c"]["text"] == "dev 1 (outlier)"
    assert ov["ops"]["cos"]["b"]["text"] == "FAIL 1"
    levels = {n: b["level"] for n, b in ov["backends"].items()}
    assert levels == {"a": "conformant", "b": "partial", "c": "partial"}
    counts = ov["backends"]["b"]["counts"]
    assert (counts["passed"], counts["failed"], counts["missing"]) == (5, 1, 1)
    assert ov["backends"]["a"]["worst_ulp"]["value"] == 0.5
    text = "\n".join(lines)
    assert "ops clean on every backend" in text
    assert "INCOMPLETE" not in text


def _fit(name: str, weights: np.ndarray, losses: list[float]) -> tuple:
    arrays = {
        "epoch_losses": np.array(losses),
        "final_weights/0": weights,
        "step0_gradients/0": weights * 0.1,
    }
    return (_case(f"mlp-fit[{name}]", error={}), arrays)


def test_lifecycle_numbers_name_the_backend_that_trained_differently(
    tmp_path, no_golden
):
    w = np.linspace(-1, 1, 50, dtype=np.float32)
    noise = np.float32(1e-7)
    runs = {
        "a": [_fit("a", w, [2.0, 1.5])],
        "b": [_fit("b", w + noise, [2.0, 1.5000001])],
        "c": [_fit("c", w * np.float32(1.01), [2.0, 1.4])],
    }
    run_dir = make_run(tmp_path / "life", runs)
    lines = render(run_dir)
    doc = _doc(run_dir)
    outliers = doc["parity"]["outliers"]
    assert list(outliers) == ["c"]
    (entry,) = outliers["c"]
    assert entry["case"] == "mlp-fit" and entry["reason"] == "numbers"
    life = doc["parity"]["lifecycle"]["mlp"]
    assert list(life["a vs b"]) == ["step0_gradients", "epoch_losses", "final_weights"]
    assert life["a vs b"]["final_weights"]["max_abs"] == pytest.approx(1e-7, rel=0.5)
    assert life["a vs c"]["epoch_losses"]["max_rel"] == pytest.approx(0.1 / 1.5)
    traj = doc["parity"]["trajectories"]["mlp"]
    assert traj["stage"] == "fit" and traj["backends"]["c"] == [2.0, 1.4]
    assert doc["overview"]["lifecycle"]["cells"]["mlp-fit"]["c"]["text"] == (
        "pass (outlier)"
    )
    text = "\n".join(lines)
    assert "kconform trajectories (final epoch loss)" in text
    assert "c: 1 case: mlp-fit (numbers)" in text


def test_lifecycle_numbers_within_tolerance_have_no_outlier(tmp_path, no_golden):
    w = np.linspace(-1, 1, 50, dtype=np.float32)
    runs = {
        n: [_fit(n, w + np.float32(i * 1e-7), [2.0, 1.5])] for i, n in enumerate("abc")
    }
    run_dir = make_run(tmp_path / "life", runs)
    render(run_dir)
    assert _doc(run_dir)["parity"]["outliers"] == {}


def test_nan_against_a_number_is_infinite_and_the_json_stays_strict(
    tmp_path, no_golden
):
    runs = {
        "a": [(_case("exp[a-float32]"), {"out0": np.array([np.nan, 1.0], np.float32)})],
        "b": [
            (_case("exp[b-float32]"), {"out0": np.array([np.nan, np.nan], np.float32)})
        ],
    }
    run_dir = make_run(tmp_path / "nan", runs)
    render(run_dir)
    (pair,) = _doc(run_dir)["parity"]["pairs"]
    assert pair["worst_ulp"] == {"value": "inf", "case": "exp[float32]"}
    assert pair["worst_rel"]["value"] == "inf" and pair["identical"] == 0


def test_an_incomplete_run_says_so_first_and_its_levels_follow(tmp_path, no_golden):
    runs = {
        "a": [(_case("exp[a-float32]"), {"out0": np.ones(2, np.float32)})],
        "b": [(_case("exp[b-float32]", "deviation", deviation="exp*"), {})],
        "gone": [],
    }
    writer_dir = tmp_path / "inc"
    make_run(
        writer_dir,
        runs,
        complete=False,
        records={"gone": {"load_error": "Plugin 'gone' failed to import: boom"}},
    )
    lines = render(writer_dir)
    head = "\n".join(lines[:6])
    assert "INCOMPLETE RUN" in head and "a: incomplete" in head
    levels = {
        n: b["level"] for n, b in _doc(writer_dir)["overview"]["backends"].items()
    }
    assert levels == {"a": "incomplete", "b": "incomplete", "gone": "load error"}
    assert "gone: Plugin 'gone' failed to import: boom" in lines
    assert load_run(writer_dir).backends["a"]["cases"]  # the records are untouched


def test_levels_of_complete_backends(tmp_path, no_golden):
    runs = {
        "ok": [(_case("exp[ok-float32]"), {})],
        "dev": [(_case("exp[dev-float32]", "deviation", deviation="exp*"), {})],
        "lacks": [(_case("exp[lacks-float32]"), {})],
    }
    run_dir = make_run(
        tmp_path / "levels",
        runs,
        records={"lacks": {"implemented": ["exp"]}},  # required tanh missing
    )
    render(run_dir)
    backends = _doc(run_dir)["overview"]["backends"]
    assert backends["ok"]["level"] == "conformant"
    assert backends["dev"]["level"] == "conformant with deviations"
    assert backends["lacks"]["level"] == "partial"
    assert backends["lacks"]["missing_required"] == ["tanh"]
    assert backends["ok"]["missing_required"] == []  # backend_info is no op


def test_pairs_leave_out_cases_that_failed_or_deviate_on_either_side(
    tmp_path, no_golden
):
    x = np.array([0.5, 1.0], np.float32)
    flushed = np.array([0.0, 1.0], np.float32)  # a subnormal flushed: far off
    cases = {
        "a": [
            (_case("exp[a-float32]"), {"out0": x}),
            (_case("exp-subnormal[a-float32]"), {"out0": x}),
        ],
        "b": [
            (_case("exp[b-float32]"), {"out0": x}),
            (
                _case("exp-subnormal[b-float32]", "deviation", deviation="*-sub*"),
                {"out0": flushed},
            ),
        ],
    }
    run = make_run(tmp_path / "dev", cases)
    render(run)
    (pair,) = _doc(run)["parity"]["pairs"]
    assert (pair["cases"], pair["excluded"]) == (1, 1)
    assert pair["worst_ulp"] == {"value": 0.0, "case": "exp[float32]"}


def test_the_report_follows_collection_order_not_finishing_order(tmp_path, no_golden):
    """Under pytest-xdist cases finish in any order; the report must not show it."""
    stages = ["m-create", "m-fit", "n-create", "n-fit"]
    runs = {b: [(_case(f"{s}[{b}]"), {}) for s in stages] for b in ("a", "b")}
    run_dir = make_run(tmp_path / "order", runs)
    doc = json.loads((run_dir / "results.json").read_text())
    cases = doc["backends"]["a"]["cases"]
    doc["backends"]["a"]["cases"] = dict(reversed(list(cases.items())))
    (run_dir / "results.json").write_text(json.dumps(doc))
    render(run_dir)
    lifecycle = _doc(run_dir)["overview"]["lifecycle"]
    assert lifecycle["stages"] == stages
    assert lifecycle["scenarios"] == {"m": stages[:2], "n": stages[2:]}
