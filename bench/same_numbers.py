"""Do two run directories report the same numbers?

    python bench/same_numbers.py RUN_A RUN_B

Compares what the reports say — the ``overview``, ``parity`` and ``golden``
sections of ``results.json`` — and, per backend and case, the outcome and the
worst error per unit. Dates, durations, paths and failure messages (which name
paths) are left out, so a merge of single-backend runs (``tox``, ``kconform
run``) can be checked against one session of all backends (``pytest
--backend=all``), serial against ``-n auto``. Prints the first differences and
exits 1 if there are any, 0 if the numbers are the same.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

#: Keys whose values are paths, times or free text, not numbers of the report.
VOLATILE = {"directory", "duration", "message", "path", "created", "updated"}


def numbers(run_dir: Path) -> dict[str, Any]:
    doc = json.loads((run_dir / "results.json").read_text())
    cases = {
        name: {
            cid: {"outcome": c["outcome"], "error": c.get("error", {})}
            for cid, c in sorted(rec.get("cases", {}).items())
        }
        for name, rec in sorted(doc["backends"].items())
    }
    return _strip(
        {
            "complete": doc["complete"],
            "overview": doc.get("overview"),
            "parity": doc.get("parity"),
            "golden": doc.get("golden"),
            "cases": cases,
        }
    )


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            here = f"{where}/{key}"
            if key not in a or key not in b:
                out.append(f"{here}: only in {'B' if key not in a else 'A'}")
            else:
                out += differences(a[key], b[key], here)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b))
            for d in differences(x, y, f"{where}[{i}]")
        ]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--show", type=int, default=20, help="differences to print")
    args = parser.parse_args(argv)
    na, nb = numbers(args.a), numbers(args.b)
    diffs = differences(na, nb)
    count = sum(len(c) for c in na["cases"].values())
    pairs = len((na["parity"] or {}).get("pairs", []))
    if not diffs:
        print(
            f"same numbers: {count} cases of {len(na['cases'])} backends, "
            f"{pairs} parity pairs"
        )
        return 0
    for line in diffs[: args.show]:
        print(line)
    print(f"{len(diffs)} differences")
    return 1


if __name__ == "__main__":
    sys.exit(main())
