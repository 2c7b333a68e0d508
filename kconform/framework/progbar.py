"""The progress display of ``fit``, ``evaluate``, ``predict`` (a bar, or lines)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["Progbar", "format_logs"]


def format_logs(logs: dict[str, Any]) -> str:
    """``"loss: 0.3012 - accuracy: 0.9120"`` (values with 4 decimals, Keras style)."""
    parts = []
    for key, value in logs.items():
        try:
            parts.append(f"{key}: {float(value):.4f}")
        except (TypeError, ValueError):
            continue
    return " - ".join(parts)


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        hours, rest = divmod(int(seconds), 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    if seconds >= 1:
        return f"{int(round(seconds))}s"
    return f"{int(round(seconds * 1000))}ms"


class Progbar:
    """A progress bar: ``12/750 ━━━━━━━━━━━━━━━━━━━━ 3s 5ms/step - loss: 0.31``.

    Args:
        target: Number of steps, or None if unknown.
        verbose: 1 for a live bar, 2 for one line when done.
        stream: Where to write; defaults to ``sys.stdout``.
        interval: Minimum seconds between redraws of the live bar.
    """

    def __init__(
        self,
        target: int | None,
        verbose: int = 1,
        stream: TextIO | None = None,
        interval: float = 0.05,
        unit: str = "step",
    ) -> None:
        self.target, self.verbose, self.interval, self.unit = (
            target,
            verbose,
            interval,
            unit,
        )
        self.stream = stream or sys.stdout
        self._dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._start = time.perf_counter()
        self._last = 0.0
        self._width = 0

    def wants_update(self, current: int) -> bool:
        """Whether :meth:`update` would draw now (else callers skip computing logs)."""
        if self.verbose != 1:
            return False
        if self.target is not None and current >= self.target:
            return True
        return time.perf_counter() - self._last >= self.interval

    def update(
        self, current: int, logs: dict[str, Any] | None = None, finalize: bool = False
    ) -> None:
        """Draw the bar at step ``current`` (``finalize`` ends the line)."""
        now = time.perf_counter()
        elapsed = now - self._start
        if self.verbose == 2:
            if finalize:
                per = elapsed / max(current, 1)
                line = (
                    f"{current}/{self.target or current} - {_format_time(elapsed)}"
                    f" - {_format_time(per)}/{self.unit}"
                )
                extra = format_logs(logs or {})
                self.stream.write(line + (f" - {extra}" if extra else "") + "\n")
                self.stream.flush()
            return
        if self.verbose != 1 or (not finalize and now - self._last < self.interval):
            return
        self._last = now
        line = self._line(current, elapsed, logs or {}, finalize)
        if self._dynamic:
            pad = max(self._width - len(line), 0)
            self.stream.write("\r" + line + " " * pad + ("\n" if finalize else ""))
            self._width = len(line)
        elif finalize:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _line(
        self, current: int, elapsed: float, logs: dict[str, Any], finalize: bool
    ) -> str:
        per = elapsed / max(current, 1)
        if self.target:
            width = 20
            done = min(int(width * current / self.target), width)
            bar = "\u2501" * done + " " * (width - done)
            head = f"{current}/{self.target} {bar} "
            timing = (
                _format_time(elapsed)
                if finalize
                else _format_time(per * (self.target - current))
            )
        else:
            head = f"{current} "
            timing = _format_time(elapsed)
        extra = format_logs(logs)
        return f"{head}{timing} {_format_time(per)}/{self.unit}" + (
            f" - {extra}" if extra else ""
        )
