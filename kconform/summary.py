"""Stale declared deviations, found at the end of a session.

The session's tables (overview, op and lifecycle matrices, parity) are
rendered from the run directory by :mod:`kconform.report`; what is left here
needs the live session: the case ids that were collected for each backend.
"""

from __future__ import annotations

from .deviations import is_pattern, match_deviation
from .suite.state import SessionState

__all__ = ["stale_deviations"]


def stale_deviations(state: SessionState) -> list[str]:
    """Declared deviations that no longer describe a failure.

    An id matching no case the suite has for its backend (collected or not: a
    session that selected a few cases says nothing of the others); a pattern
    whose matched cases all ran and passed. (An exact id that passes already
    failed its case.)
    """
    from .suite.items import all_case_ids

    stale = []
    case_ids: dict[str, list[str]] = state.extra.get("case_ids", {})
    for name, backend in state.backends.items():
        ids = [*case_ids.get(name, []), *all_case_ids(name)]
        for dev in backend.deviations:
            if not any(match_deviation(cid, [dev]) for cid in ids):
                stale.append(
                    f"{name}: declared deviation {dev['id']!r} matches no case"
                )
                continue
            ran = [
                o
                for o in state.outcomes
                if o.backend == name and o.deviation == dev["id"]
            ]
            if (
                is_pattern(dev["id"])
                and ran
                and all(o.outcome == "passed" for o in ran)
            ):
                stale.append(
                    f"{name}: declared deviation {dev['id']!r} matched "
                    f"{len(ran)} cases and none failed; remove or narrow it"
                )
    return stale
