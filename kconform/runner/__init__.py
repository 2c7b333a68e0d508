"""Running the suite for the `kconform run` command: one pytest session per backend.

:mod:`~kconform.runner.orchestrator` schedules the sessions and merges their
records; :mod:`~kconform.runner.child` runs and watches one session;
:mod:`~kconform.runner.heartbeat` is the session's side of the watching.
"""

from .orchestrator import RunOptions, run_backends

__all__ = ["RunOptions", "run_backends"]
