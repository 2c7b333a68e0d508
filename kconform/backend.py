"""The `Backend` object: a backend's hook implementations, bound as plain functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .contract import OPS, OpInfo, op_names
from .errors import MissingOpError

__all__ = ["Backend", "MissingOp"]


class MissingOp:
    """Stands in for an op a backend does not implement; calling it raises.

    It raises :class:`~kconform.errors.MissingOpError` (a ``NotImplementedError``).
    A backend being brought up op by op lacks required ops too: the cases that
    need one are reported as missing or blocked, never crash the run.
    """

    def __init__(self, backend: str, op: str) -> None:
        self.backend, self.op = backend, op

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise MissingOpError(self.backend, self.op, OPS[self.op].required)

    def __bool__(self) -> bool:
        return False


def _with_defaults(impl: Callable[..., Any], info: OpInfo) -> Callable[..., Any]:
    """Wrap ``impl`` in a function that has the contract's defaults.

    The wrapper is generated source, one positional call deep: no ``*args``
    packing, no lookup, no dispatch on the hot path.
    """
    params = ", ".join(
        f"{a}=_d[{a!r}]" if a in info.defaults else a for a in info.argnames
    )
    call = ", ".join(info.argnames)
    src = f"def {info.name}({params}):\n    return _impl({call})\n"
    namespace: dict[str, Any] = {"_impl": impl, "_d": info.defaults}
    exec(src, namespace)  # noqa: S102 - source built from contract names only
    wrapper = namespace[info.name]
    wrapper.__doc__ = info.doc
    wrapper.__wrapped__ = impl
    return wrapper


@dataclass
class Backend:
    """A loaded backend: its info, capabilities, and every contract op as an attribute.

    ``backend.softmax(x, axis=-1)`` calls the plugin's ``kconform_softmax``
    directly. Ops the plugin lacks are :class:`MissingOp` (falsy).
    """

    name: str
    plugin: Any
    info: dict[str, Any]
    capabilities: frozenset[str]
    impls: dict[str, Callable[..., Any]]
    deviations: list[dict[str, str]] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        for op in op_names():
            impl = self.impls.get(op)
            if impl is None:
                bound: Any = MissingOp(self.name, op)
            elif OPS[op].defaults:
                bound = _with_defaults(impl, OPS[op])
            else:
                bound = impl
            setattr(self, op, bound)

    def has(self, op: str) -> bool:
        """Whether the backend implements ``op``."""
        return op in self.impls

    def supports(self, capability: str) -> bool:
        """Whether the backend declares ``capability``.

        See ``kconform.contract.CAPABILITIES``. ``jit`` follows the hook: a
        backend has it exactly when it implements ``kconform_jit``.
        """
        if capability == "jit":
            return self.has("jit")
        return capability in self.capabilities

    @property
    def implemented(self) -> list[str]:
        """The contract ops this backend implements."""
        return [op for op in op_names() if op in self.impls]

    def __repr__(self) -> str:
        version = self.info.get("framework_version", "?")
        return f"<Backend {self.name} ({self.info.get('framework', '?')} {version})>"

    # A few conveniences used everywhere; they go through the bound ops.
    def tensor(self, array: Any, dtype: str | None = None) -> Any:
        """A tensor from anything ``numpy.asarray`` accepts, optionally of ``dtype``."""
        import numpy as np

        from .dtypes import to_numpy_dtype

        arr = np.asarray(array, dtype=None if dtype is None else to_numpy_dtype(dtype))
        return self.from_numpy(arr)  # type: ignore[attr-defined]

    def numpy(self, x: Any) -> Any:
        """Return ``x`` as a NumPy array (tensors through ``to_numpy``)."""
        return self.to_numpy(x) if self.is_tensor(x) else x  # type: ignore[attr-defined]
