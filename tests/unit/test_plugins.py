"""Plugin validation and binding, on synthetic plugin modules (no framework needed)."""

from __future__ import annotations

import sys
import types

import pytest

from kconform import BackendLoadError, BackendRegistry, bind_plugin
from kconform.backend import MissingOp
from kconform.contract import OPS
from kconform.errors import MissingOpError


def make_plugin(
    name: str = "stub", skip: tuple[str, ...] = (), **extra
) -> types.ModuleType:
    """A module implementing every hook of the contract with the right signature."""
    module = types.ModuleType(f"kconform_{name}")
    for info in OPS.values():
        if info.name in skip:
            continue
        args = ", ".join(info.argnames)
        src = f"def {info.hook}({args}):\n    return ({args}{',' if args else ''})\n"
        exec(src, module.__dict__)
    module.kconform_backend_info = lambda: {
        "name": name,
        "version": "0",
        "framework": "stub",
        "framework_version": "0",
        "device": "cpu",
    }
    module.kconform_capabilities = lambda: ["float64"]
    module.kconform_deviations = lambda: []
    for key, value in extra.items():
        setattr(module, key, value)
    return module


def test_a_complete_plugin_binds_and_ops_are_plain_calls():
    plugin = make_plugin()
    backend = bind_plugin(plugin, "stub")
    assert backend.exp is plugin.kconform_exp  # no wrapper at all without defaults
    assert backend.sum.__wrapped__ is plugin.kconform_sum
    assert backend.sum("x") == ("x", None, False)  # the contract's defaults filled in
    # jit follows the hook: implemented here, though not listed as a capability
    assert backend.supports("float64") and backend.supports("jit")
    listed_only = bind_plugin(
        make_plugin(skip=("jit",), kconform_capabilities=lambda: ["jit"]), "stub"
    )
    assert not listed_only.supports("jit")


def test_optional_hooks_may_be_missing():
    backend = bind_plugin(make_plugin(skip=("jit",)), "stub")
    assert (
        isinstance(backend.jit, MissingOp)
        and not backend.jit
        and not backend.has("jit")
    )
    with pytest.raises(NotImplementedError, match="optional op 'jit'"):
        backend.jit(lambda: None)


def test_a_plugin_missing_required_ops_loads_with_those_ops_missing():
    backend = bind_plugin(make_plugin(skip=("exp", "log", "softmax")), "partial")
    assert not backend.has("exp") and backend.has("add")
    assert "exp" not in backend.implemented and len(backend.implemented) > 90
    with pytest.raises(MissingOpError, match="required op 'exp'") as info:
        backend.exp(1.0)
    assert info.value.op == "exp" and isinstance(info.value, NotImplementedError)


def test_misspelt_hook_gets_a_did_you_mean():
    plugin = make_plugin(kconform_sofmax=lambda x, axis: x)
    with pytest.raises(BackendLoadError) as info:
        bind_plugin(plugin, "typo")
    message = str(info.value)
    assert "'typo' defines 'kconform_sofmax'" in message
    assert "did you mean 'kconform_softmax'?" in message


def test_signature_mismatch_names_hook_and_fix():
    plugin = make_plugin(kconform_softmax=lambda x, dim=-1: x)
    with pytest.raises(BackendLoadError) as info:
        bind_plugin(plugin, "sig")
    message = str(info.value)
    assert (
        "kconform_softmax(x, dim) does not match the hookspec kconform_softmax(x, axis)"
        in message
    )
    assert "have defaults" in message and "Fix:" in message


def test_missing_essential_hooks_are_listed():
    with pytest.raises(
        BackendLoadError,
        match=r"lacks kconform_from_numpy, kconform_is_tensor: a backend needs at "
        r"least kconform_backend_info, kconform_capabilities, kconform_from_numpy",
    ):
        bind_plugin(make_plugin(skip=("from_numpy", "is_tensor", "exp")), "partial")


def test_a_raising_info_hook_is_a_load_error():
    def boom():
        raise RuntimeError("no device")

    with pytest.raises(
        BackendLoadError, match="kconform_backend_info' raised RuntimeError: no device"
    ):
        bind_plugin(make_plugin(kconform_backend_info=boom), "boom")


def test_registry_reports_import_failures_and_keeps_others(monkeypatch):
    monkeypatch.setitem(sys.modules, "good_plugin", make_plugin("good"))
    registry = BackendRegistry(entry_point_group="kconform.none")
    assert registry.add_module("good_plugin") == "good"
    with pytest.raises(
        BackendLoadError, match="'no_such_plugin' is not importable from here"
    ):
        registry.add_module("no_such_plugin")
    assert registry.load("good").name == "good"


def test_unknown_backend_lists_installed_and_how_to_install():
    from kconform import UnknownBackendError

    registry = BackendRegistry(entry_point_group="kconform.none")
    with pytest.raises(
        UnknownBackendError, match=r"installed: none.*pip install ./backends/jax"
    ):
        registry.load("jax")
