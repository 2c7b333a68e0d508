"""``kconform golden``: run the built-in backends and write their golden records.

::

    kconform golden [--backends numpy,jax,torch,tensorflow] [--from DIR ...]
                    [--out DIR] [--report-dir DIR | --no-report] [--work DIR]
                    [-- PYTEST ARGS]

Each backend runs in its own process::

    python -m pytest --pyargs kconform.suite --backend=<b> -p no:cacheprovider -q
        --kconform-report-dir=<work>/<b> --kconform-profile=ci --kconform-golden=off

(``--from`` takes existing run directories instead: every backend they hold,
or those ``--backends`` names). A backend whose run is incomplete, or that
failed a case no deviation declares, is refused and nothing is written. The
golden data directory (``--out``, default the package's ``kconform/golden/data``)
is then replaced as a whole: the backend records (source ``golden``, with the
run they came from under ``origin``) and their arrays, less those parity does
not need (:data:`NOT_KEPT`); a run's derived sections (``parity``,
``overview``) are not kept. Built-in backends not
taken this time keep their previous golden records. Last, the full
cross-backend report of these runs goes to ``--report-dir`` (default:
``reports/latest`` of the checkout, when writing the package's own data from a
checkout); kept backends appear there as golden columns.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..records.schema import SCHEMA, SCHEMA_VERSION
from ..records.store import RecordsError, Run, atomic_write_bytes, load_run, now
from ..runner.tiers import suite_command
from . import BUILTIN, golden_dir, load_golden_run
from .checks import golden_problems

__all__ = ["build_parser", "checkout_root", "main", "run_backend", "write_golden"]

#: Lifecycle records golden records leave out: parity does not need them.
#: ``initial_weights`` are the host-drawn weights, identical on every backend
#: by construction (each backend's create stage checks them bit for bit).
NOT_KEPT = ("initial_weights",)


def checkout_root() -> Path | None:
    """The repository this kconform runs from, or None when it is installed."""
    root = Path(__file__).resolve().parents[2]
    is_checkout = (root / "pyproject.toml").is_file() and (root / ".git").exists()
    return root if is_checkout else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kconform golden",
        description="Regenerate the golden records of the built-in backends that "
        "ship with kconform (maintainers). Arguments after `--` go to pytest.",
    )
    parser.add_argument(
        "--backends",
        default=None,
        metavar="NAMES",
        help=f"comma-separated built-in backends to take (default: {','.join(BUILTIN)}"
        ", or every backend of the --from runs)",
    )
    parser.add_argument(
        "--from",
        dest="sources",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="take the records of these run directories instead of running pytest",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the golden data directory to replace (default: {golden_dir()})",
    )
    report = parser.add_mutually_exclusive_group()
    report.add_argument(
        "--report-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="write the cross-backend report of these runs here (default: "
        "reports/latest of the checkout, when --out is the package's data)",
    )
    report.add_argument(
        "--no-report", action="store_true", help="write no cross-backend report"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the runs go (default: a temporary directory, removed after "
        "success)",
    )
    return parser


def _names(option: str | None, default: tuple[str, ...]) -> list[str]:
    if option is None:
        return list(default)
    names = [n.strip() for n in option.split(",") if n.strip()]
    unknown = [n for n in names if n not in BUILTIN]
    if unknown or not names:
        raise ValueError(
            f"--backends={option!r}: expected built-in backends among "
            f"{', '.join(BUILTIN)}; received {', '.join(unknown) or 'none'}"
        )
    return names


def run_backend(backend: str, work: Path, pytest_args: list[str]) -> tuple[Path, int]:
    """Run the whole suite on ``backend`` in its own process: ``(run dir, rc)``."""
    run_dir = work / backend
    if run_dir.exists():
        shutil.rmtree(run_dir)
    cmd = suite_command(
        backend,
        run_dir,
        "-q",
        "--kconform-profile=ci",
        "--kconform-golden=off",
        *pytest_args,
    )
    print(f"kconform golden: {backend}: {' '.join(cmd[1:])}", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "KCONFORM_PROFILE"}
    rc = subprocess.run(cmd, cwd=work, env=env, check=False).returncode
    return run_dir, rc


def _collect(
    sources: list[Path], wanted: list[str] | None
) -> tuple[dict[str, Run], list[str]]:
    """Each wanted backend's run (None: every built-in one) from run directories."""
    taken: dict[str, Run] = {}
    problems = []
    for source in sources:
        run = load_run(source)
        for name in run.backends:
            if wanted is not None and name not in wanted:
                continue
            if wanted is None and name not in BUILTIN:
                print(f"kconform golden: note: {name} is not built in; not taken")
                continue
            if name in taken:
                problems.append(
                    f"{name} is in both {taken[name].directory} and "
                    f"{run.directory}; pass one run per backend"
                )
            taken[name] = run
    for name in wanted or []:
        if name not in taken:
            problems.append(
                f"{name}: none of {', '.join(map(str, sources))} holds its records"
            )
    return taken, problems


def _kept(array_name: str) -> bool:
    return array_name.split("/", 1)[0] not in NOT_KEPT


def _golden_record(run: Run, name: str) -> dict[str, Any]:
    """The backend record as golden: source, origin, and only the kept arrays."""
    record = {k: v for k, v in run.backends[name].items() if k != "array_parts"}
    record["source"] = "golden"
    record["arrays"] = f"arrays/{name}.npz"
    record["origin"] = {
        key: run.doc.get(key) for key in ("run", "created", "profile", "argv")
    }
    record["cases"] = {
        cid: {**case, "arrays": [a for a in case.get("arrays", []) if _kept(a)]}
        for cid, case in record.get("cases", {}).items()
    }
    return record


def _golden_arrays(run: Run, name: str) -> bytes:
    """The backend's arrays that golden records keep, as ``.npz`` bytes."""
    arrays = {
        key: arr
        for key, arr in run.arrays(name).items()
        if _kept(key.split("/", 1)[1] if "/" in key else key)
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _arrays_file(run: Run, name: str) -> Path | None:
    rel = run.backends[name].get("arrays")
    path = run.directory / rel if rel else None
    return path if path is not None and path.is_file() else None


def write_golden(
    out: Path, taken: dict[str, Run], argv: list[str]
) -> dict[str, dict[str, Any]]:
    """Replace the golden data in ``out`` with the backends of ``taken``.

    Backends of the previous data in ``out`` that ``taken`` lacks are kept.
    The directory is built aside and swapped in, so a reader sees the old
    data or the new, never a mix. Returns the backend records written.
    """
    from .._version import __version__
    from ..contract import CONTRACT_VERSION

    previous = load_golden_run(out) if (out / "results.json").is_file() else None
    runs: dict[str, Run] = {}
    if previous is not None:
        runs.update({n: previous for n in previous.backends if n not in taken})
    runs.update(taken)
    order = [n for n in BUILTIN if n in runs] + sorted(set(runs) - set(BUILTIN))
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        records = {}
        for name in order:
            run, src = runs[name], _arrays_file(runs[name], name)
            if run is previous:  # kept as it was
                record, data = dict(run.backends[name]), src and src.read_bytes()
            else:
                record = _golden_record(run, name)
                data = src and _golden_arrays(run, name)
            if data:
                atomic_write_bytes(staging / record["arrays"], data)
            records[name] = record
        stamp = now()
        doc = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "kconform_version": __version__,
            "contract_version": CONTRACT_VERSION,
            "run": "golden",
            "created": stamp,
            "updated": stamp,
            "complete": True,
            "profile": "ci",
            "argv": ["kconform", "golden", *argv],
            "backends": records,
        }
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
        (staging / "results.json").write_text(text, encoding="utf-8")
        for path in [staging, *staging.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return records


def _sizes(out: Path, names: list[str]) -> list[str]:
    lines = []
    total = (out / "results.json").stat().st_size
    lines.append(f"  results.json  {total / 1e6:7.2f} MB")
    for name in names:
        path = out / "arrays" / f"{name}.npz"
        size = path.stat().st_size if path.is_file() else 0
        total += size
        lines.append(f"  {name:<12}  {size / 1e6:7.2f} MB")
    lines.append(f"  {'total':<12}  {total / 1e6:7.2f} MB")
    return lines


def _report(report_dir: Path, inputs: list[Path], kept: list[str]) -> str:
    """Merge the runs into the cross-backend report in ``report_dir``.

    Backends kept from the previous golden records (not run now) appear as
    the report's golden columns; when every backend ran, there are none.
    """
    try:
        from ..report import merge
    except ImportError as exc:
        return f"no cross-backend report written: kconform.report unavailable ({exc})"
    lines = merge(inputs, report_dir, golden=bool(kept))
    for line in lines:
        print(line)
    return f"cross-backend report in {report_dir}"


def main(argv: list[str] | None = None) -> int:
    """Regenerate the golden records; 0 on success, 1 refused, 2 usage error."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, pytest_args = argv, []
    if "--" in argv:
        at = argv.index("--")
        ours, pytest_args = argv[:at], argv[at + 1 :]
    args = build_parser().parse_args(ours)
    default_out = args.out is None
    out = golden_dir() if default_out else args.out
    if default_out and checkout_root() is None:
        print(
            f"kconform golden: error: this kconform is installed ({golden_dir()}), "
            "not a checkout; golden records are regenerated in a checkout of "
            "kconform (pip install -e .), or pass --out DIR to write them elsewhere",
            file=sys.stderr,
        )
        return 2
    try:
        wanted = _names(args.backends, () if args.sources else BUILTIN)
    except ValueError as exc:
        print(f"kconform golden: error: {exc}", file=sys.stderr)
        return 2
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="kconform-golden-")) if temporary else args.work
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.sources:
            if pytest_args:
                print(
                    "kconform golden: error: pytest arguments after `--` need a "
                    "run; --from takes existing runs",
                    file=sys.stderr,
                )
                return 2
            taken, problems = _collect(args.sources, wanted or None)
            inputs = list(dict.fromkeys(run.directory for run in taken.values()))
        else:
            taken, problems, inputs = {}, [], []
            for name in wanted:
                run_dir, rc = run_backend(name, work.resolve(), pytest_args)
                if not (run_dir / "results.json").is_file():
                    problems.append(
                        f"{name}: pytest exited with code {rc} and wrote no records "
                        f"in {run_dir}; see its output above"
                    )
                    continue
                taken[name] = load_run(run_dir)
                inputs.append(run_dir)
        for name, run in taken.items():
            problems += golden_problems(run, name, BUILTIN)
            for stale in run.backends[name].get("stale_deviations", []):
                print(f"kconform golden: note: {name}: stale deviation: {stale}")
    except RecordsError as exc:
        print(f"kconform golden: error: {exc}", file=sys.stderr)
        return 2
    if problems or not taken:
        print(
            "kconform golden: refused, nothing written:\n  "
            + "\n  ".join(problems or ["no backend records to take"]),
            file=sys.stderr,
        )
        if temporary:
            print(f"kconform golden: the runs are kept in {work}", file=sys.stderr)
        return 1
    try:
        records = write_golden(out, taken, argv)
    except RecordsError as exc:
        print(
            f"kconform golden: error: the previous golden data cannot be read "
            f"({exc}); regenerate every built-in backend (omit --backends)",
            file=sys.stderr,
        )
        return 2
    print(f"kconform golden: wrote the golden records of {', '.join(records)} to {out}")
    for name, record in records.items():
        origin = "this run" if name in taken else "kept from before"
        info = record.get("info", {})
        print(
            f"  {name}: {info.get('framework')} {info.get('framework_version')}, "
            f"kconform {record.get('kconform_version')}, "
            f"{len(record.get('cases', {}))} cases ({origin})"
        )
    for line in _sizes(out, list(records)):
        print(line)
    report_dir = args.report_dir
    root = checkout_root()
    if report_dir is None and not args.no_report and default_out and root:
        report_dir = root / "reports" / "latest"
    if report_dir is not None:
        kept = [name for name in records if name not in taken]
        done = _report(report_dir, inputs, kept)
        print(f"kconform golden: {done}")
    if temporary:
        shutil.rmtree(work, ignore_errors=True)
    return 0
