"""One backend's pytest session, run and watched as a child process.

The child runs in its own process group (so that it, and any pytest-xdist
workers it starts, can be stopped together), writes its output to
``output.log`` and ``stderr.log`` in its shard, which the parent follows and
copies to the terminal, and keeps a heartbeat file
(:mod:`kconform.runner.heartbeat`). The
parent polls :meth:`Child.poll`: a case running longer than the limit gets
the session killed (after asking it to checkpoint its records); a session
that dies without finishing its records has crashed. :meth:`Child.finish`
then completes the shard's records (:mod:`kconform.records.repair`).
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records.repair import mark_unfinished, write_stub
from ..records.store import RecordsError
from .heartbeat import FLUSH_SIGNAL, journal_path, read_heartbeat, read_journal

__all__ = ["Child", "ChildResult", "Terminal", "signal_name", "stderr_excerpt"]

#: pytest's exit codes of a session that ran no case by design: a usage error
#: (4), or ``--help``/``--version`` (0), or nothing collected (5).
PYTEST_NOTHING_RAN = (0, 4, 5)
#: Seconds a session asked to checkpoint (before being killed) gets to do so.
FLUSH_WAIT = 5.0
#: Lines of a crashed session's stderr kept in its status detail.
STDERR_TAIL = 12
#: Lines of a session's stderr kept to choose them from.
STDERR_KEEP = 400


def signal_name(returncode: int) -> str:
    """``-6`` -> ``'SIGABRT'``; a positive code -> ``'exit code 3'``."""
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def stderr_excerpt(lines: list[str], n: int = STDERR_TAIL) -> list[str]:
    """The telling lines of a dead session's stderr.

    After a fatal error (a signal such as SIGSEGV or SIGABRT), Python's
    faulthandler prints the crashing thread's stack, innermost call first:
    that error and the innermost frames. Otherwise the last ``n`` lines.
    """
    lines = [ln[:300] for ln in lines if not ln.startswith("Extension modules:")]
    fatal = [i for i, ln in enumerate(lines) if ln.startswith("Fatal Python error")]
    if fatal:
        return lines[fatal[-1] :][:n]
    return lines[-n:]


@dataclass
class ChildResult:
    """How one backend's session ended."""

    backend: str
    shard: Path
    #: finished (the session finished its records), timeout, crashed,
    #: interrupted, or usage (pytest refused the arguments; no records).
    status: str
    returncode: int | None
    detail: str | None
    duration: float


class Terminal:
    """The user's terminal, shared by the sessions' output and the runner's notes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at_line_start = True

    def write(self, sink: Any, data: bytes) -> None:
        """Write ``data`` to ``sink`` (sys.stdout or sys.stderr) as it comes."""
        if not data:
            return
        with self.lock:
            self._write(sink, data)

    def say(self, text: str) -> None:
        """A line of the runner's own, on a line of its own."""
        with self.lock:
            lead = b"" if self.at_line_start else b"\n"
            self._write(sys.stdout, lead + f"kconform: {text}\n".encode())

    def _write(self, sink: Any, data: bytes) -> None:
        buffer = getattr(sink, "buffer", None)
        try:
            if buffer is not None:
                buffer.write(data)
            else:
                sink.write(data.decode("utf-8", "replace"))
            sink.flush()
        except (OSError, ValueError):
            pass  # the terminal went away; the log file still has it
        self.at_line_start = data.endswith(b"\n")


class _Pump(threading.Thread):
    """Follows a session's output file, copying what it gets to the user's terminal.

    The session writes to a file, never to a pipe of this process: if this
    process dies, the session must not die of a broken pipe before it has
    finished its records.
    """

    def __init__(
        self,
        source: Path,
        sink: Any,
        terminal: Terminal,
        prefix: bytes | None,
        tail: collections.deque[str] | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.source, self.sink = source, sink
        self.terminal = terminal
        self.prefix, self.tail = prefix, tail
        self.ended = threading.Event()  # set once the session has exited
        self._partial = b""
        self._tail_rest = ""

    def run(self) -> None:
        with open(self.source, "rb") as fh:
            while True:
                chunk = fh.read(65536)
                if chunk:
                    self._handle(chunk)
                elif self.ended.is_set():
                    break
                else:
                    self.ended.wait(0.05)
        if self._partial:
            self._emit(self._partial + b"\n")

    def _handle(self, chunk: bytes) -> None:
        if self.tail is not None:
            text = self._tail_rest + chunk.decode("utf-8", "replace")
            *lines, self._tail_rest = text.split("\n")
            self.tail.extend(line for line in lines if line.strip())
        if self.prefix is None:
            self._emit(chunk)
            return
        data = self._partial + chunk
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        if cut:
            lines = data[:cut].splitlines(keepends=True)
            self._emit(b"".join(self.prefix + line for line in lines))

    def _emit(self, data: bytes) -> None:
        self.terminal.write(self.sink, data)

    def last_lines(self) -> list[str]:
        lines = list(self.tail or [])
        return lines + ([self._tail_rest] if self._tail_rest.strip() else [])


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Send ``sig`` to the child's process group (the child alone on Windows)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, sig)
        elif sig == getattr(signal, "SIGKILL", None) or sig == signal.SIGTERM:
            proc.kill()
        else:
            proc.send_signal(sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass


class Child:
    """A backend's pytest session in a subprocess, watched for hangs and crashes."""

    def __init__(
        self,
        backend: str,
        argv: list[str],
        shard: Path,
        *,
        timeout: float,
        startup_limit: float,
        terminal: Terminal,
        prefix: str | None,
        env: dict[str, str] | None = None,
        profile: str = "ci",
    ) -> None:
        self.backend = backend
        self.argv = argv
        self.shard = shard
        self.heartbeat = shard / "heartbeat.json"
        self.timeout = timeout
        self.startup_limit = startup_limit
        self.terminal = terminal
        self.prefix = prefix
        self.env = env
        self.profile = profile
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self._pumps: list[_Pump] = []
        self._stderr_tail: collections.deque[str] = collections.deque(
            maxlen=STDERR_KEEP
        )
        self._hb: dict[str, Any] | None = None
        self._hb_mtime: float | None = None
        self._timed_out: tuple[str | None, float, float] | None = None
        self._interrupted = False
        self._interrupt_sent = 0.0

    # -- running ---------------------------------------------------------------------
    def start(self) -> None:
        self.shard.mkdir(parents=True, exist_ok=True)
        out, err = self.shard / "output.log", self.shard / "stderr.log"
        kwargs: dict[str, Any] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True
        else:  # pragma: no cover - Windows
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        self.started = time.time()
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                env=self.env,
                **kwargs,
            )
        prefix = None if self.prefix is None else self.prefix.encode()
        self._pumps = [
            _Pump(out, sys.stdout, self.terminal, prefix),
            _Pump(err, sys.stderr, self.terminal, prefix, self._stderr_tail),
        ]
        for pump in self._pumps:
            pump.start()

    def _heartbeat(self) -> dict[str, Any] | None:
        try:
            mtime = self.heartbeat.stat().st_mtime_ns
        except OSError:
            return self._hb
        if mtime != self._hb_mtime:
            data = read_heartbeat(self.heartbeat)
            if data is not None:
                self._hb, self._hb_mtime = data, mtime
        return self._hb

    def poll(self) -> bool:
        """Whether the session has ended; kills it if a case ran past the limit."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            return True
        hb = self._heartbeat()
        if self._interrupted:
            self._interrupt_again(hb)
            return False
        case = hb.get("case") if hb else None
        since = float(hb["started"]) if hb else self.started
        limit = self.timeout if case else self.startup_limit
        elapsed = time.time() - since
        if elapsed > limit:
            self._timed_out = (case, limit, elapsed)
            self._flush_then_kill()
            return True
        return False

    def _flush_then_kill(self) -> None:
        """Ask the session to checkpoint its records, then kill its process group."""
        assert self.proc is not None
        if FLUSH_SIGNAL is not None and self._hb is not None:
            asked = time.time()
            try:
                os.kill(self.proc.pid, FLUSH_SIGNAL)
            except OSError:
                pass
            deadline = asked + FLUSH_WAIT
            while time.time() < deadline and self.proc.poll() is None:
                hb = self._heartbeat() or {}
                if float(hb.get("flushed", 0)) >= asked:
                    break
                time.sleep(0.05)
        self.kill()

    def interrupt(self) -> None:
        """Forward an interrupt (SIGINT): pytest then finishes its records."""
        self._interrupted = True
        self._interrupt_sent = time.time()
        if self.proc is not None and self.proc.poll() is None:
            _signal_group(self.proc, signal.SIGINT)

    def _interrupt_again(self, hb: dict[str, Any] | None) -> None:
        """Interrupt again if a new case started since: the last one was swallowed.

        Code under test may catch the KeyboardInterrupt (Hypothesis can, when it
        lands in its own internals) and the session then goes on. Never while
        the session finishes its records (no case running).
        """
        if hb and hb.get("case") and float(hb["started"]) > self._interrupt_sent:
            self.interrupt()

    def kill(self) -> None:
        """Kill the session and every process of its group, now."""
        if self.proc is not None:
            _signal_group(self.proc, getattr(signal, "SIGKILL", signal.SIGTERM))
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - unkillable
                pass

    # -- ending ----------------------------------------------------------------------
    def finish(self) -> ChildResult:
        """Wait for the output, then complete the shard's records if need be."""
        assert self.proc is not None
        returncode = self.proc.wait()
        for pump in self._pumps:
            pump.ended.set()
        for pump in self._pumps:
            pump.join(timeout=30)
        duration = time.time() - self.started
        hb = read_heartbeat(self.heartbeat)
        finished = bool(hb and hb.get("phase") == "finished")
        has_records = (self.shard / "results.json").exists()
        case = hb.get("case") if hb else None
        if self._timed_out is not None:
            case, limit, elapsed = self._timed_out
            status = "timeout"
            detail = (
                f"case {case} ran longer than the {limit:g} s limit (--timeout); "
                "the session was killed"
                if case
                else f"the session did not start a case within {limit:g} s "
                "(importing or loading the backend, or collecting, hung); "
                "it was killed"
            )
            self._mark(status, case, detail, elapsed if case else None)
        elif finished:
            status, detail = "finished", None
        elif self._interrupted:
            status = "interrupted"
            detail = "interrupted (Ctrl-C or SIGTERM) before its records were finished"
            self._mark(status, case, detail, None)
        elif returncode in PYTEST_NOTHING_RAN and not has_records:
            status = "usage"
            detail = "; ".join(self._stderr_lines()[-3:]) or signal_name(returncode)
        else:
            status = "crashed"
            how = (
                f"killed by {signal_name(returncode)}"
                if returncode < 0
                else f"exited with {signal_name(returncode)}"
            )
            where = (
                f" while running {case}"
                if case
                else (
                    " while finishing its records"
                    if hb and hb.get("phase")
                    else " before its first case"
                )
            )
            tail = "\n".join(self._stderr_lines())
            detail = (
                f"the pytest session was {how}{where}, before finishing its records"
            )
            if tail:
                detail += f"; last lines of its stderr:\n{tail}"
            started = (hb or {}).get("started", self.started)
            self._mark(status, case, detail, time.time() - started if case else None)
        if finished or status in ("timeout", "crashed", "interrupted"):
            self.heartbeat.unlink(missing_ok=True)
            journal_path(self.heartbeat).unlink(missing_ok=True)
        return ChildResult(
            self.backend, self.shard, status, returncode, detail, duration
        )

    def _stderr_lines(self) -> list[str]:
        lines = self._pumps[1].last_lines() if len(self._pumps) > 1 else []
        return stderr_excerpt(lines)

    def _mark(
        self, status: str, case: str | None, detail: str, duration: float | None
    ) -> None:
        try:
            if (self.shard / "results.json").exists():
                mark_unfinished(
                    self.shard,
                    status,
                    case,
                    detail,
                    backend=self.backend,
                    duration=duration,
                    finished=read_journal(self.heartbeat),
                )
                return
        except RecordsError as exc:
            detail += f" (its records were unreadable and were replaced: {exc})"
        write_stub(
            self.shard,
            self.backend,
            status,
            detail,
            profile=self.profile,
            argv=self.argv,
        )
