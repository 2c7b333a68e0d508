"""Declarative specs: one entry per contract op (``ops/``) and lifecycle scenarios.

Installed as ``kconform.specs``. ``get_spec("softmax")`` returns the op's
:class:`kconform.oracle.spec.OpSpec`.
"""

from __future__ import annotations

from kconform.oracle.spec import OpSpec

__all__ = ["all_specs", "get_spec"]

_SPECS: dict[str, OpSpec] | None = None


def _load() -> dict[str, OpSpec]:
    from .ops import MODULES

    specs: dict[str, OpSpec] = {}
    for module in MODULES:
        for spec in module.SPECS:
            if spec.op in specs:
                raise ValueError(f"two specs for op {spec.op!r} ({module.__name__})")
            specs[spec.op] = spec
    return specs


def all_specs() -> list[OpSpec]:
    """Every op spec, in contract-group order."""
    global _SPECS
    if _SPECS is None:
        _SPECS = _load()
    return list(_SPECS.values())


def get_spec(op: str) -> OpSpec:
    """The spec of contract op ``op``."""
    all_specs()
    assert _SPECS is not None
    try:
        return _SPECS[op]
    except KeyError:
        raise KeyError(
            f"No spec for op {op!r}; specs exist for {sorted(_SPECS)}"
        ) from None
