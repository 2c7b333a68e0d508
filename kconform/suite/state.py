"""Per-session state of the pytest plugin: selected backends, results, deviations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..backend import Backend
from ..errors import BackendLoadError
from ..plugins import BackendRegistry

__all__ = ["Outcome", "SessionState", "STATE_KEY"]


@dataclass
class Outcome:
    """One finished kconform case, as the summary counts it."""

    case_id: str
    backend: str
    op: str
    kind: str
    dtype: str | None
    outcome: str  # passed | failed | deviation | missing | unsupported | skipped
    worst_ulp: float | None = None
    deviation: str | None = None  # the id of the declared deviation it matched


@dataclass
class SessionState:
    """What the plugin knows during a session; lives in ``config.stash[STATE_KEY]``."""

    registry: BackendRegistry
    selected: list[str]
    backends: dict[str, Backend] = field(default_factory=dict)
    load_errors: dict[str, BackendLoadError] = field(default_factory=dict)
    profile: str = "ci"
    report_dir: Path = Path("reports")
    outcomes: list[Outcome] = field(default_factory=list)
    collected_backends: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)
    #: Writes the run's records (None in pytest-xdist workers: the controller writes).
    writer: Any = None

    def load(self, failed: dict[str, str] | None = None) -> None:
        """Load every selected backend, keeping load errors per backend.

        ``failed``: plugin modules that failed to load in a watched child
        process (module -> error); they are not imported here.
        """
        for name in self.selected:
            if failed and name in failed:
                self.load_errors[name] = BackendLoadError(name, [failed[name]])
                continue
            try:
                backend = self.registry.load(name)
            except BackendLoadError as exc:
                self.load_errors[name] = exc
                continue
            if backend.has("configure_numerics"):
                try:
                    backend.configure_numerics(True, False)  # type: ignore[attr-defined]
                except Exception as exc:  # a plugin bug costs its backend, not the run
                    self.load_errors[name] = BackendLoadError(
                        name, [f"Hook 'kconform_configure_numerics' raised {exc!r}"]
                    )
                    continue
            self.backends[name] = backend


STATE_KEY = pytest.StashKey[SessionState]()
