"""kconform's exceptions: one root, and the load errors a backend author meets."""

from __future__ import annotations

__all__ = [
    "BackendLoadError",
    "KconformError",
    "MissingOpError",
    "UnknownBackendError",
]


class KconformError(Exception):
    """Root of every error kconform raises on purpose."""


class BackendLoadError(KconformError):
    """A backend plugin could not be loaded or failed validation.

    ``problems`` lists each problem found, each naming the plugin, the hook and
    the fix; the message joins them.
    """

    def __init__(self, plugin: str, problems: list[str]) -> None:
        self.plugin = plugin
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Backend plugin {plugin!r} failed to load:\n{lines}")


class UnknownBackendError(KconformError):
    """A backend was asked for by a name no installed plugin provides."""


class MissingOpError(KconformError, NotImplementedError):
    """A backend was asked to run an op it does not implement.

    ``backend`` and ``op`` name it; a case or lifecycle stage that needs the op
    is reported as missing or blocked by it, not as a failure of its own.
    """

    def __init__(self, backend: str, op: str, required: bool) -> None:
        self.backend, self.op, self.required = backend, op, required
        kind = "required" if required else "optional"
        super().__init__(
            f"Backend {backend!r} does not implement the {kind} op {op!r} "
            f"(hook kconform_{op}; `kconform contract` specifies it)"
        )

    @property
    def blocked(self) -> str:
        """What a case or stage that needed the op records: blocked, by what."""
        return (
            f"blocked: needs kconform_{self.op}, which backend {self.backend!r} "
            "does not implement"
        )
