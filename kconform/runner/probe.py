"""Importing a ``--backend-plugin`` module where it cannot hurt ``kconform run``.

A plugin module is someone else's code: its import may call ``sys.exit``,
hang, crash the interpreter or raise. ``kconform run`` therefore imports each
one, and binds it as a backend (its info hook, its hooks validated), in a
child process watched by a timeout before anything else happens. A plugin
that fails there is a *load error* of that plugin, recorded in the report;
it is not handed to the backends' sessions, and the other backends run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

__all__ = ["PROBE_TIMEOUT", "Probe", "probe_plugin"]

#: Seconds a plugin module may take to import and bind.
PROBE_TIMEOUT = 120.0
_MARK = "KCONFORM-PROBE:"

#: Run in the child: import the module as the sessions would (the working
#: directory on sys.path), bind it, print one marked JSON line.
_CODE = f"""
import json, os, sys
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
sys.path.insert(0, os.getcwd())
from kconform.plugins import BackendRegistry
module = sys.argv[1]
name = None
try:
    import importlib.util
    if importlib.util.find_spec(module) is None:
        out = {{"missing": True}}
    else:
        registry = BackendRegistry()
        name = registry.add_module(module)
        registry.load(name)
        out = {{"name": name}}
except BaseException as exc:
    out = {{"error": str(exc) or type(exc).__name__, "type": type(exc).__name__,
           "backend": name}}
sys.stdout.write("\\n{_MARK}" + json.dumps(out) + "\\n")
sys.stdout.flush()
os._exit(0)
"""


@dataclass
class Probe:
    """What importing one plugin module gave: its backend name, or an error."""

    module: str
    name: str | None = None
    error: str | None = None
    #: The backend name the module declares, when it got that far.
    backend: str | None = None
    #: Not importable at all (no such module on sys.path): a usage mistake,
    #: which importing in-process reports best (it cannot misbehave).
    missing: bool = False


def _tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return "\n".join(kept)


def probe_plugin(module: str, timeout: float = PROBE_TIMEOUT) -> Probe:
    """Import and bind plugin ``module`` in a watched child process."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CODE, module],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr
        where = f"\n{_tail(err or '')}" if err else ""
        return Probe(
            module,
            error=f"importing {module!r} did not finish in {timeout:g} s (killed): "
            f"the import hangs{where}",
        )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_MARK):
            out = json.loads(line[len(_MARK) :])
            if out.get("missing"):
                return Probe(module, missing=True)
            if "name" in out:
                return Probe(module, name=str(out["name"]))
            kind, backend = out.get("type", ""), out.get("backend")
            if kind in ("BackendLoadError", "KconformError"):  # says what and where
                return Probe(module, error=out["error"], backend=backend)
            return Probe(
                module,
                error=f"importing {module!r} raised {kind}: {out['error']}",
                backend=backend,
            )
    code = proc.returncode
    if code < 0:
        how = f"was killed by {signal.Signals(-code).name}"
    else:
        how = f"ended the interpreter with exit code {code} (sys.exit or os._exit)"
    err = _tail(proc.stderr)
    return Probe(
        module,
        error=f"importing {module!r} {how} before it could be bound"
        + (f"; its last output:\n{err}" if err else ""),
    )
