"""``kconform run``: each backend in its own pytest session, merged into one report.

Each backend runs in a child ``python -m pytest --pyargs kconform.suite
--backend=<name>`` that writes its own run directory, a *shard*, under
``DIR/shards/<name>``. A backend whose plugin hangs in an op or crashes the
interpreter thus costs only its own remaining cases: the parent kills a case
that runs past ``--timeout`` (or notices the crash) and marks that case
``timeout`` (``crashed``) and the backend's unrun cases ``not-run``. After
each session the shards so far are merged into ``DIR``, which is therefore a
valid, incomplete report at any time.

Interrupting ``kconform run`` (SIGINT, Ctrl-C, or SIGTERM) interrupts the
running sessions, which finish their records as ``interrupted``; backends
that had not started get an empty ``interrupted`` record; the merged report
is written and the exit code is 130 (SIGINT) or 143 (SIGTERM). A second
interrupt kills the sessions at once.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records.repair import write_stub
from ..records.store import RecordsError, load_run
from .child import Child, ChildResult, Terminal
from .tiers import suite_command

__all__ = [
    "EXIT_FAILURES",
    "EXIT_OK",
    "EXIT_USAGE",
    "RunOptions",
    "exit_code_for_signal",
    "run_backends",
]

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
#: Case outcomes that make a run non-conformant.
BAD_OUTCOMES = ("failed", "crashed", "timeout", "not-run", "blocked")
#: Seconds a session may take before its first case, and after its last one.
STARTUP_LIMIT = 300.0
#: Seconds interrupted sessions get to finish their records before being killed.
INTERRUPT_GRACE = 15.0


def exit_code_for_signal(signum: int) -> int:
    """The shell's convention: 128 + the signal number (130 for SIGINT)."""
    return 128 + int(signum)


@dataclass
class RunOptions:
    """What ``kconform run`` was asked to do."""

    backends: list[str]
    report_dir: Path
    #: pytest arguments every session gets (plugins, tier, extra arguments).
    pytest_args: list[str] = field(default_factory=list)
    jobs: int = 1
    timeout: float = 300.0
    golden: bool = True
    profile: str = "ci"
    #: Plugin modules that failed to import or bind (see probe.py): module ->
    #: what happened. Each is a backend of its own with a load error.
    load_errors: dict[str, str] = field(default_factory=dict)


class _Runner:
    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.report_dir = options.report_dir.resolve()
        self.terminal = Terminal()
        self.pending = list(options.backends)
        for module in options.load_errors:
            if module not in options.backends:
                options.backends.append(module)
        self.running: list[Child] = []
        self.results: dict[str, ChildResult] = {}
        self.signal: int | None = None
        self.signals = 0
        self.merge_error: str | None = None
        self.lines: list[str] = []

    # -- output ----------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.terminal.say(text)

    # -- children --------------------------------------------------------------------
    def shard(self, backend: str) -> Path:
        return self.report_dir / "shards" / backend

    def child_argv(self, backend: str) -> list[str]:
        shard = self.shard(backend)
        return suite_command(
            backend,
            shard,
            f"--kconform-heartbeat={shard / 'heartbeat.json'}",
            # the merged report is printed at the end; a shard only says where its is
            "--kconform-terminal=brief",
            *self.options.pytest_args,
        )

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        # The merged summary goes to a GitHub step summary, not each shard's.
        env.pop("GITHUB_STEP_SUMMARY", None)
        cols = shutil.get_terminal_size().columns
        if self.options.jobs > 1:
            cols -= max(len(b) for b in self.options.backends) + 3
        env.setdefault("COLUMNS", str(max(cols, 60)))
        return env

    def start(self, backend: str) -> None:
        shard = self.shard(backend)
        if shard.exists():
            shutil.rmtree(shard)  # a previous run's shard of this backend
        n = len(self.options.backends)
        i = self.options.backends.index(backend) + 1
        child = Child(
            backend,
            self.child_argv(backend),
            shard,
            timeout=self.options.timeout,
            startup_limit=max(self.options.timeout, STARTUP_LIMIT),
            terminal=self.terminal,
            prefix=f"[{backend}] " if self.options.jobs > 1 else None,
            env=self.child_env(),
            profile=self.options.profile,
        )
        self.say(f"{backend} ({i}/{n}): starting pytest, records in {shard}")
        child.start()
        self.running.append(child)

    def reap(self, child: Child) -> None:
        self.running.remove(child)
        result = child.finish()
        self.results[child.backend] = result
        took = f"{result.duration:.1f} s"
        if result.status == "finished":
            self.say(
                f"{child.backend}: done in {took} (pytest exit code "
                f"{result.returncode})"
            )
        elif result.status == "usage":
            self.say(
                f"{child.backend}: pytest ran no case (exit code "
                f"{result.returncode}): {result.detail}"
            )
        else:
            self.say(
                f"{child.backend}: {result.status.upper()} after {took}: "
                f"{result.detail}"
            )
            self.render_shard(result.shard)
        self.merge()

    def render_shard(self, shard: Path) -> None:
        """Render a shard whose records were completed here (its session could not)."""
        if not (shard / "results.json").exists():
            return
        try:
            from ..report import render

            render(shard, golden=False)
        except Exception as exc:  # noqa: BLE001 - the merged report still shows it
            self.say(f"rendering {shard} failed: {type(exc).__name__}: {exc}")

    # -- merging ---------------------------------------------------------------------
    def shards(self) -> list[Path]:
        return [
            self.shard(b)
            for b in self.options.backends
            if (self.shard(b) / "results.json").exists() and b in self.results
        ]

    def merge(self) -> None:
        shards = self.shards()
        if not shards:
            return
        try:
            from ..report import merge

            self.lines = list(
                merge(shards, self.report_dir, golden=self.options.golden)
            )
            self.merge_error = None
        except Exception as exc:  # noqa: BLE001 - reported; the shards stay
            self.merge_error = f"{type(exc).__name__}: {exc}"
            self.say(
                f"merging {len(shards)} shard(s) into {self.report_dir} failed: "
                f"{self.merge_error}"
            )

    # -- signals ---------------------------------------------------------------------
    def on_signal(self, signum: int, frame: Any) -> None:
        self.signals += 1
        if self.signal is None:
            self.signal = signum
        if self.signals == 1:
            name = signal.Signals(signum).name
            self.say(
                f"{name}: interrupting the running sessions (they finish their "
                "records); interrupt again to kill them"
            )
            for child in self.running:
                child.interrupt()
        else:
            for child in self.running:
                child.interrupt()
                child.kill()

    # -- the loop --------------------------------------------------------------------
    def record_load_errors(self) -> None:
        """A record for each plugin that failed to load: its error, no cases."""
        for module, error in self.options.load_errors.items():
            shard = self.stub(
                module, "complete", "the plugin module failed to load", error
            )
            self.say(f"{module}: LOAD ERROR: {error}")
            self.results[module] = ChildResult(
                module, shard, "finished", 2, "load error", 0.0
            )
        if self.options.load_errors:
            self.merge()

    def stub(
        self, backend: str, status: str, detail: str, load_error: str | None = None
    ) -> Path:
        """A fresh shard for ``backend`` holding a record with no cases."""
        shard = self.shard(backend)
        if shard.exists():
            shutil.rmtree(shard)
        write_stub(
            shard,
            backend,
            status,
            detail,
            profile=self.options.profile,
            load_error=load_error,
        )
        return shard

    def loop(self) -> None:
        self.record_load_errors()
        deadline: float | None = None
        while self.pending or self.running:
            if self.signal is None:
                while self.pending and len(self.running) < self.options.jobs:
                    if any(r.status == "usage" for r in self.results.values()):
                        self.pending.clear()  # the same arguments would fail again
                        break
                    self.start(self.pending.pop(0))
            else:
                deadline = deadline or time.time() + INTERRUPT_GRACE
                if time.time() > deadline:
                    for child in self.running:
                        child.kill()
                self.pending_interrupted()
            for child in list(self.running):
                if child.poll():
                    self.reap(child)
            time.sleep(0.1)

    def pending_interrupted(self) -> None:
        for backend in self.pending:
            shard = self.stub(
                backend,
                "interrupted",
                "not started: kconform run was interrupted first",
            )
            self.results[backend] = ChildResult(
                backend, shard, "interrupted", None, "not started", 0.0
            )
        if self.pending:
            self.pending.clear()
            self.merge()

    def exit_code(self) -> int:
        if self.signal is not None:
            return exit_code_for_signal(self.signal)
        code = EXIT_OK
        for backend in self.options.backends:
            result = self.results.get(backend)
            if result is None or result.status == "usage":
                return EXIT_USAGE
            if result.status != "finished" or result.returncode != 0:
                code = EXIT_FAILURES
            try:
                record = load_run(result.shard).backends[backend]
            except (RecordsError, KeyError):
                code = EXIT_FAILURES
                continue
            if record.get("load_error"):
                return EXIT_USAGE
            if record.get("status") != "complete" or any(
                c.get("outcome") in BAD_OUTCOMES
                for c in record.get("cases", {}).values()
            ):
                code = EXIT_FAILURES
        if self.merge_error is not None:
            code = max(code, EXIT_FAILURES)
        return code


def run_backends(options: RunOptions) -> int:
    """Run every backend of ``options`` in its own session; returns the exit code."""
    runner = _Runner(options)
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, runner.on_signal)
    try:
        runner.loop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    from ..report.terminal import print_lines

    print_lines(runner.lines)  # the verdicts first, and where the report went
    if runner.shards() and (runner.merge_error or not runner.lines):
        print(
            f"kconform: no merged report; the backends' records are in "
            f"{runner.report_dir / 'shards'}; merge them with `kconform report "
            f"merge {runner.report_dir / 'shards'}/* --out {runner.report_dir}`"
        )
    summary, target = (
        runner.report_dir / "summary.md",
        os.environ.get("GITHUB_STEP_SUMMARY"),
    )
    if target and summary.exists() and not runner.merge_error:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(summary.read_text(encoding="utf-8") + "\n")
    code = runner.exit_code()
    if runner.signal is not None:
        print(
            f"kconform: interrupted by {signal.Signals(runner.signal).name}; the "
            "report holds what ran before (marked incomplete)"
        )
    return code
