"""The backend contract: grouped, versioned pluggy hookspecs, required and optional.

Every hook is named ``kconform_<op>``; its docstring is its specification.
:data:`OPS` describes each one (group, arguments, defaults, required or not)
so that the plugin manager can validate a backend and bind its functions.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from . import autodiff, elementwise, info, nn, random, reductions, shape, tensors
from ._marker import PROJECT, hookimpl, hookspec

__all__ = [
    "CAPABILITIES",
    "CONTRACT_VERSION",
    "ESSENTIAL",
    "GROUP_MODULES",
    "OPS",
    "PREFIX",
    "PROJECT",
    "OpInfo",
    "hookimpl",
    "hookspec",
    "op_names",
]

#: Bumped in its major part when a hook's signature or meaning changes
#: incompatibly, in its minor part when hooks are added.
CONTRACT_VERSION = "2.0"
PREFIX = "kconform_"
CAPABILITIES = ("float16", "bfloat16", "float64", "jit", "deterministic")
GROUP_MODULES: tuple[ModuleType, ...] = (
    info,
    tensors,
    elementwise,
    reductions,
    shape,
    nn,
    random,
    autodiff,
)


@dataclass(frozen=True)
class OpInfo:
    """What the contract says about one hook."""

    name: str  # the op name, without the ``kconform_`` prefix
    hook: str
    group: str
    argnames: tuple[str, ...]
    defaults: dict[str, Any]
    required: bool
    doc: str
    spec: Any  # the hookspec function

    @property
    def signature(self) -> str:
        """The call signature as a user of :class:`kconform.Backend` writes it."""
        parts = [
            f"{a}={self.defaults[a]!r}" if a in self.defaults else a
            for a in self.argnames
        ]
        return f"{self.name}({', '.join(parts)})"

    @property
    def summary(self) -> str:
        """The first line of the docstring."""
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""


def _collect() -> dict[str, OpInfo]:
    ops: dict[str, OpInfo] = {}
    for module in GROUP_MODULES:
        for hook, func in vars(module).items():
            if not (hook.startswith(PREFIX) and callable(func)):
                continue
            argnames = tuple(inspect.signature(func).parameters)
            defaults = func.kconform_defaults
            unknown = set(defaults) - set(argnames)
            assert not unknown, f"{hook}: defaults for unknown args {unknown}"
            name = hook[len(PREFIX) :]
            ops[name] = OpInfo(
                name=name,
                hook=hook,
                group=func.kconform_group,
                argnames=argnames,
                defaults=defaults,
                required=func.kconform_required,
                doc=inspect.getdoc(func) or "",
                spec=func,
            )
    return ops


#: Every hook of the contract, by op name.
OPS: dict[str, OpInfo] = _collect()

#: Hooks that describe the backend rather than compute: not counted as ops.
META = ("backend_info", "capabilities", "deviations")

#: What a plugin must define to load at all: who it is, and the way data goes
#: in and out of its tensors (every check goes through these). Every other
#: op may be absent while a backend is brought up: it is reported as missing
#: (a required op missing makes the level ``partial``).
ESSENTIAL = ("backend_info", "capabilities", "from_numpy", "to_numpy", "is_tensor")


def op_names() -> list[str]:
    """The computing ops of the contract (hooks other than the info group)."""
    return [n for n in OPS if n not in META]
