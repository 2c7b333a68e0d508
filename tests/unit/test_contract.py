"""The contract: size, documentation, pluggy compatibility, and a spec for every op."""

from __future__ import annotations

import inspect

from kconform.specs import all_specs, get_spec

from kconform.contract import CONTRACT_VERSION, OPS, op_names


def test_contract_has_at_least_80_ops_and_a_version():
    assert len(op_names()) >= 80
    assert CONTRACT_VERSION.count(".") == 1


def test_every_hook_is_documented_and_has_no_pluggy_defaults():
    for info in OPS.values():
        assert info.doc.strip(), f"{info.hook} has no docstring"
        params = inspect.signature(info.spec).parameters.values()
        assert all(p.default is p.empty for p in params), f"{info.hook} has a default"
        assert info.hook == f"kconform_{info.name}"


def test_every_op_has_exactly_one_spec():
    specs = {s.op for s in all_specs()}
    assert specs == set(op_names())
    assert get_spec("softmax").op == "softmax"


def test_only_compile_numerics_and_deviations_are_optional():
    assert {i.name for i in OPS.values() if not i.required} == {
        "jit",
        "configure_numerics",
        "deviations",
    }
