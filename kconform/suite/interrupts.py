"""A real interrupt of the session, told apart from code that raises one.

Backend code is foreign: an op may raise ``KeyboardInterrupt``, ``SystemExit``
or another ``BaseException`` that is not an ``Exception``. pytest would take
any of them for the end of the session and drop every case after it. Only a
signal the process really received (SIGINT, SIGTERM) ends the session; any
other ``BaseException`` escaping a case is that case's failure, recorded with
its type and message.

:func:`install` wraps the SIGINT and SIGTERM handlers to note the signal;
SIGTERM then raises ``KeyboardInterrupt`` as SIGINT does, so that pytest ends
the session the same way and the records of every finished case are written.
"""

from __future__ import annotations

import signal
import threading
import traceback
from typing import Any

__all__ = ["install", "is_case_failure", "received", "describe"]

_received: list[int] = []
_installed = False


def received() -> bool:
    """Whether the process received SIGINT or SIGTERM since :func:`install`."""
    return bool(_received)


def _handler(previous: Any) -> Any:
    def handle(signum: int, frame: Any) -> None:
        _received.append(signum)
        if callable(previous) and previous not in (signal.SIG_DFL, signal.SIG_IGN):
            previous(signum, frame)
        raise KeyboardInterrupt

    return handle


def install() -> None:
    """Note SIGINT and SIGTERM (main thread only; once per process)."""
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if sig == signal.SIGTERM and previous not in (signal.SIG_DFL, None):
            continue  # someone else handles SIGTERM (kconform run's child watcher)
        if previous is signal.SIG_IGN:
            continue
        if sig == signal.SIGINT and previous is signal.default_int_handler:
            previous = None  # raising KeyboardInterrupt is what we do anyway
        signal.signal(sig, _handler(previous))
    _installed = True


def is_case_failure(exc: BaseException) -> bool:
    """Whether ``exc`` escaping a case is the case's failure, not the session's end.

    Exceptions are failures as pytest reports them already; pytest's own
    outcomes (skip, xfail, fail) pass through; a ``KeyboardInterrupt`` is the
    session's end only when a signal was really received.
    """
    from _pytest.outcomes import OutcomeException

    if isinstance(exc, (Exception, OutcomeException)):
        return False
    if isinstance(exc, KeyboardInterrupt) and received():
        return False
    return True


def describe(exc: BaseException) -> str:
    """``KeyboardInterrupt`` / ``SystemExit: 3``: the exception's type and message."""
    try:
        return traceback.format_exception_only(type(exc), exc)[-1].strip()
    except Exception:  # noqa: BLE001 - a __str__ that raises
        return type(exc).__name__
