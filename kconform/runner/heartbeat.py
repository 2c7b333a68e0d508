"""The heartbeat: which case a pytest session is running, for the process watching it.

``kconform run`` runs each backend in its own pytest process with
``--kconform-heartbeat=PATH``. The session then keeps ``PATH`` up to date, each
write atomic (a temporary file moved into place), as one small JSON object:

``{"case": "exp[numpy-float32]", "started": <time.time()>}``
    a case started (written at ``pytest_runtest_logstart``);
``{"case": null, "phase": "finishing", "started": ...}``
    the cases are over, the records are being finished;
``{"case": null, "phase": "finished", "started": ..., "exitstatus": 0}``
    the records are finished: whatever happens next, they are whole;
``"flushed": <time>`` (added to the current object)
    the session wrote a checkpoint of its records on request (``SIGUSR1``),
    so that a case that hangs costs no finished case its record.

No heartbeat file yet means the session is still starting (imports, backend
loading, collection). Every object also holds ``"pid"``, the session's process.

Beside it, the *journal* (:func:`journal_path`: ``PATH`` with the suffix
``.jsonl``) gets one line per finished case: its case record as the records
hold it. Records are checkpointed every few seconds; the journal is
appended to at once, so the outcome of every case that finished before a
crash is known, if not its arrays.

The session also watches the process that started it (``kconform run``): if
that process dies (the session's parent process changes), the session stops
as if interrupted (its records finished, marked ``interrupted``), or kills
itself if it cannot stop within :data:`ORPHAN_GRACE` seconds (a case hanging
in C code), rather than run on unwatched.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

__all__ = [
    "FLUSH_SIGNAL",
    "ORPHAN_GRACE",
    "Heartbeat",
    "journal_path",
    "read_heartbeat",
    "read_journal",
    "write_heartbeat",
]

#: Asks a session to checkpoint its records now (None where the OS has no SIGUSR1).
FLUSH_SIGNAL: signal.Signals | None = getattr(signal, "SIGUSR1", None)
#: Seconds an orphaned session has to stop after being interrupted.
ORPHAN_GRACE = 20.0


def write_heartbeat(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` with ``data`` atomically (no fsync: it is not kept)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def read_heartbeat(path: Path) -> dict[str, Any] | None:
    """The last heartbeat written to ``path``, or None if there is none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def journal_path(heartbeat: Path) -> Path:
    """Where the journal of finished cases of a heartbeat file lies."""
    return heartbeat.with_suffix(".jsonl")


def read_journal(heartbeat: Path) -> list[dict[str, Any]]:
    """The case records in the journal of ``heartbeat`` (a torn last line skipped)."""
    try:
        text = journal_path(heartbeat).read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "id" in record:
            out.append(record)
    return out


def _in_records_code(frame: FrameType | None) -> bool:
    """Whether the interrupted code is writing records (then a flush must wait)."""
    records = str(Path(__file__).parent.parent / "records")
    while frame is not None:
        if frame.f_code.co_filename.startswith(records):
            return True
        frame = frame.f_back
    return False


def _stop_when_orphaned(parent: int, beat: Heartbeat) -> None:
    """Poll the parent process; once it is gone, interrupt, then kill, this one.

    The interrupt is repeated whenever a new case starts: code under test may
    swallow a KeyboardInterrupt (Hypothesis can), and the session goes on.
    """
    while os.getppid() == parent:
        time.sleep(0.5)
    deadline = time.time() + ORPHAN_GRACE
    sent = 0.0
    while time.time() < deadline:
        current = beat.current
        if sent == 0.0 or (current.get("case") and current["started"] > sent):
            sent = time.time()
            os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.25)
    os._exit(128 + int(signal.SIGINT))


class Heartbeat:
    """pytest plugin: keeps the heartbeat file of a session up to date."""

    def __init__(self, path: Path, state: Any) -> None:
        self.path = path
        self.state = state
        self.current: dict[str, Any] = {}
        self._journaled: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._journal = open(journal_path(path), "w", encoding="utf-8")  # noqa: SIM115
        if FLUSH_SIGNAL is not None:
            try:
                signal.signal(FLUSH_SIGNAL, self._flush)
            except ValueError:  # not the main thread: no flush on request
                pass
        if os.name == "posix":  # elsewhere an orphan keeps its parent's id
            threading.Thread(
                target=_stop_when_orphaned,
                args=(os.getppid(), self),
                name="kconform-orphan",
                daemon=True,
            ).start()

    def _beat(self, data: dict[str, Any]) -> None:
        data["pid"] = os.getpid()
        self.current = data
        try:
            write_heartbeat(self.path, data)
        except OSError as exc:  # a heartbeat must never fail a case
            print(
                f"kconform: cannot write heartbeat {self.path}: {exc}", file=sys.stderr
            )

    def _flush(self, signum: int, frame: FrameType | None) -> None:
        """On ``SIGUSR1``: checkpoint the records now (a case is hanging)."""
        writer = getattr(self.state, "writer", None)
        if writer is None or _in_records_code(frame):
            return
        try:
            writer.checkpoint(force=True)
        except Exception as exc:  # noqa: BLE001 - reported, never raised into a case
            print(f"kconform: checkpoint on request failed: {exc}", file=sys.stderr)
        self._beat({**self.current, "flushed": time.time()})

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Write the planned cases now: a crash in the first case still shows them."""
        writer = getattr(self.state, "writer", None)
        if writer is not None:
            writer.checkpoint(force=True)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self._beat({"case": nodeid.rsplit("::", 1)[-1], "started": time.time()})

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Journal the case record the session's records just got, if any."""
        writer = getattr(self.state, "writer", None)
        case_id = report.nodeid.rsplit("::", 1)[-1]
        if writer is None or case_id in self._journaled:
            return
        for backend in self.state.selected:
            case = writer.backend_record(backend)["cases"].get(case_id)
            if case is not None:
                self._journaled.add(case_id)
                try:
                    self._journal.write(json.dumps(case, allow_nan=False) + "\n")
                    self._journal.flush()
                except (OSError, ValueError) as exc:
                    print(f"kconform: cannot write journal: {exc}", file=sys.stderr)
                return

    @pytest.hookimpl(wrapper=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Any:
        self._beat({"case": None, "phase": "finishing", "started": time.time()})
        result = yield
        self._beat(
            {
                "case": None,
                "phase": "finished",
                "started": time.time(),
                "exitstatus": int(session.exitstatus),
            }
        )
        self._journal.close()
        return result
