"""The `kconform` subcommands: list, run, report, report merge, contract,
new-backend, deviations suggest, golden.

``kconform run`` runs each backend in its own pytest session (see
:mod:`kconform.runner.orchestrator`): a backend that hangs or crashes costs
only its own remaining cases. Every run writes a run directory (``--report``):
``results.json``, ``summary.md``, ``report.html``, and the backends' own
records under ``shards/``.

Exit codes:

* 0 -- conformant: every case passed or is a declared deviation; nothing
  crashed, timed out or was left unrun.
* 1 -- failures: a failed case, a backend that crashed or timed out, an
  incomplete run, or nothing selected.
* 2 -- usage or load error: bad arguments, an unknown backend, a backend or
  plugin module that fails to load, a directory that is not a run.
* 130 / 143 -- ``kconform run`` was interrupted (SIGINT, Ctrl-C / SIGTERM);
  the report holds what ran before, marked incomplete.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

from ._version import __version__
from .contract import CONTRACT_VERSION, OPS, op_names
from .errors import BackendLoadError, KconformError
from .plugins import ENTRY_POINT_GROUP, BackendRegistry
from .runner.tiers import TIERS

__all__ = ["build_parser", "contract_markdown", "run_cli"]

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
DEFAULT_TIMEOUT = 300.0

EPILOG = """\
exit codes:
  0    conformant: every case passed or is a declared deviation; nothing
       crashed, timed out or was left unrun
  1    failures: failed cases, a backend that crashed or timed out, an
       incomplete run
  2    usage or load error: bad arguments, unknown backend, a backend that
       fails to load, a directory that is not a kconform run
  130  kconform run interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: the
       report holds what ran before, marked incomplete
"""

RUN_DESCRIPTION = """\
Run the conformance suite: each backend in its own pytest session
(python -m pytest --pyargs kconform.suite --backend=<name>), so that a
backend that hangs in an op or crashes the interpreter costs only its own
remaining cases (marked timeout / crashed / not-run). The backends' records
(DIR/shards/<name>) are merged into DIR after each one: results.json,
summary.md, report.html.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kconform",
        description="Conformance suite for numerical deep-learning backends.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"kconform {__version__} (contract {CONTRACT_VERSION})",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "list", help="List installed backends, versions and contract coverage"
    )
    _add_run(sub)
    _configure_report(
        sub.add_parser(
            "report",
            help="Re-render a run directory, or merge runs: report merge A B --out DIR",
        )
    )
    contract = sub.add_parser(
        "contract",
        help="Print the whole backend contract: conventions, promotion table, "
        "every hook (Markdown, or JSON for tools)",
    )
    contract.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown (default) or json",
    )
    new = sub.add_parser(
        "new-backend",
        help="Write an installable backend package to start from: kconform-NAME/",
        description="Write kconform-NAME/: pyproject.toml with the entry point, "
        "kconform_NAME/__init__.py with the hooks a backend needs to load (NumPy "
        "standing in for your framework; every other op missing until written), "
        "an empty deviations.toml, a README of the loop, tox.ini and a GitHub "
        "Actions job. It loads and runs at once (exit 1, level 'partial').",
    )
    new.add_argument("name", metavar="NAME", help="the backend's name, e.g. acme")
    new.add_argument(
        "--dir",
        default=".",
        metavar="DIR",
        help="where to write kconform-NAME/ (default: the working directory)",
    )
    deviations = sub.add_parser(
        "deviations", help="Draft a deviations file: deviations suggest RUN_DIR"
    )
    dsub = deviations.add_subparsers(dest="deviations_command", required=True)
    suggest = dsub.add_parser(
        "suggest",
        help="Draft deviations.toml entries from a run's failed cases",
        description="Print a draft deviations.toml for the failed cases of a "
        "run directory, one entry per op and kind of failure (ids listed, the "
        "first message as a placeholder reason): edit the reasons, drop what you "
        "will fix, and copy it into your plugin's deviations.toml.",
    )
    suggest.add_argument("run_dir", metavar="RUN_DIR")
    suggest.add_argument(
        "--backend",
        default=None,
        help="the backend whose failures to draft (default: the run's only "
        "backend with failures)",
    )
    golden = sub.add_parser(
        "golden",
        help="Regenerate the shipped golden records of the four built-in "
        "backends (maintainers)",
        add_help=False,
    )
    golden.add_argument("golden_args", nargs=argparse.REMAINDER)
    return parser


def _configure_report(report: argparse.ArgumentParser) -> argparse.ArgumentParser:
    report.usage = (
        "kconform report [--no-golden] DIR\n"
        "       kconform report merge [--no-golden] RUN [RUN ...] --out DIR"
    )
    report.description = textwrap.fill(
        "`kconform report DIR` re-renders the reports of run directory DIR "
        "(summary.md, report.html) from its results.json and prints the "
        "overview. `kconform report merge A B ... --out DIR` merges the records "
        "of several runs (e.g. one per tox environment or CI job, or the "
        "shards/<backend> directories of a run) into the run directory DIR and "
        "renders it.",
        width=78,
    )
    report.epilog = EPILOG
    report.formatter_class = argparse.RawDescriptionHelpFormatter
    report.add_argument("paths", nargs="+", metavar="DIR", help=argparse.SUPPRESS)
    report.add_argument(
        "--out", metavar="DIR", help="report merge: the run directory to write"
    )
    _add_no_golden(report)
    return report


def _add_no_golden(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-golden",
        dest="golden",
        action="store_false",
        help="Compare only the backends in the run, not the shipped golden "
        "records of the built-in backends that did not run",
    )


def _positive(kind: type) -> object:
    def parse(text: str) -> object:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a positive number, got {text!r}"
            ) from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _add_run(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser(
        "run",
        help="Run the conformance suite, each backend in its own pytest session",
        description=RUN_DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--backend",
        default=None,
        help="'all' or a comma-separated list of backends (default: numpy and "
        "the backends of --backend-plugin modules; where numpy is not "
        "installed, the --backend-plugin backends, or the only installed one)",
    )
    run.add_argument(
        "--backend-plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="Load an unpackaged plugin module by import path (repeatable); "
        "the working directory is on the import path",
    )
    run.add_argument(
        "--tier",
        choices=sorted(TIERS),
        default="default",
        help="smoke: a stratified sample (every check kind of every op in one "
        "dtype, and the mlp scenario), seconds per backend (JAX: two minutes); "
        "default: every case; thorough: every case, long exploration",
    )
    run.add_argument(
        "--report",
        default=None,
        metavar="DIR",
        help="The run directory to write (default: reports/<UTC time>-<backends>)",
    )
    run.add_argument(
        "--jobs",
        "-j",
        type=_positive(int),
        default=None,
        metavar="N",
        help="Backends to run at the same time (default: 1, one after the other; "
        "the smoke tier: one per CPU); with N > 1 each output line is prefixed "
        "with its backend",
    )
    run.add_argument(
        "--timeout",
        type=_positive(float),
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help="Seconds one case may run before its backend's session is killed "
        "(the case is then 'timeout', the backend's remaining cases 'not-run'; "
        f"default: {DEFAULT_TIMEOUT:g}). Starting a session (imports, loading "
        "the backend, collecting) may take max(S, 300) s; a --backend-plugin "
        "module, imported first in a process of its own, min(S, 120) s",
    )
    _add_no_golden(run)
    run.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        help="Further pytest arguments after '--', e.g. -- -k softmax -x",
    )


def _list() -> int:
    registry = BackendRegistry()
    names = registry.names()
    if not names:
        print(
            "No kconform backends installed. Install one, e.g. "
            "`pip install ./backends/numpy` from a kconform checkout."
        )
        return EXIT_USAGE
    status = EXIT_OK
    for name in names:
        try:
            b = registry.load(name)
        except BackendLoadError as exc:
            print(f"{name:12s} LOAD ERROR\n{exc}")
            status = EXIT_USAGE
            continue
        info = b.info
        absent = [n for n in op_names() if n not in b.implemented]
        required = [n for n in absent if OPS[n].required]
        print(
            f"{name:12s} {info['framework']} {info['framework_version']}"
            f" on {info['device']}"
            f"  ops {len(op_names()) - len(absent)}/{len(op_names())}"
            f" (missing: {len(required)} required, {len(absent) - len(required)}"
            " optional"
            + (f": {', '.join(absent)}" if 0 < len(absent) <= 5 else "")
            + ")"
            f"  capabilities: {', '.join(sorted(b.capabilities)) or 'none'}"
            f"  deviations declared: {len(b.deviations)}"
        )
    return status


def _error(command: str, message: str) -> int:
    print(f"kconform {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


class _LoadErrors(dict):
    """Backend (or module) name -> load error; ``modules``: the modules that failed."""

    def __init__(self) -> None:
        super().__init__()
        self.modules: set[str] = set()


class _Probed:
    """The installed backends, and the plugin modules that imported and bound."""

    def __init__(self, registry: BackendRegistry, added: list[str]) -> None:
        self.installed = [*registry.names(), *added]

    def names(self) -> list[str]:
        return list(dict.fromkeys(self.installed))


def _select_backends(args: argparse.Namespace) -> tuple[list[str], _LoadErrors]:
    """The backends to run, as the pytest plugin would select them, and the
    plugin modules that failed to load (module -> error).

    Plugin modules are imported in watched child processes (runner/probe.py),
    as the sessions would import them (the working directory on sys.path): one
    that exits, hangs or crashes at import is that plugin's load error.
    """
    import pytest

    from .pytest_plugin import _select_with_failed
    from .runner.probe import PROBE_TIMEOUT, probe_plugin

    added, failed = [], _LoadErrors()
    for module in args.backend_plugin:
        probe = probe_plugin(module, min(args.timeout, PROBE_TIMEOUT))
        if probe.missing:  # a mistyped name or path: say so, run nothing
            try:
                BackendRegistry().add_module(module)
            except KconformError as exc:
                raise ValueError(f"--backend-plugin={module}: {exc}") from exc
        if probe.name is not None:
            added.append(probe.name)
        else:  # under the backend's name where the module declared one
            failed[probe.backend or module] = probe.error or "failed to load"
            failed.modules.add(module)
    registry = _Probed(BackendRegistry(), added)
    try:
        selected = _select_with_failed(registry, args.backend, added, failed)
    except pytest.UsageError as exc:
        raise ValueError(str(exc)) from exc
    selected = [n for n in selected if n not in failed]
    if failed and not selected:
        return [], failed
    if not selected:
        raise ValueError(
            "no backend to run: no kconform backend is installed (no entry point "
            f"in the group {ENTRY_POINT_GROUP!r}). Install one (`pip install -e "
            "./kconform-NAME`; `kconform new-backend NAME` writes one to start "
            "from; `pip install ./backends/numpy` from a kconform checkout), or "
            "name a plugin module with --backend-plugin"
        )
    return list(dict.fromkeys(selected)), failed


def _run(args: argparse.Namespace) -> int:
    from .pytest_plugin import default_run_dir
    from .runner import RunOptions, run_backends

    try:
        backends, load_errors = _select_backends(args)
    except ValueError as exc:
        return _error("run", str(exc))
    loaded = [m for m in args.backend_plugin if m not in load_errors.modules]
    extra = list(args.pytest_args)
    if extra and extra[0] == "--":
        extra = extra[1:]
    pytest_args = [
        *(f"--backend-plugin={m}" for m in args.backend_plugin if m in loaded),
        *TIERS[args.tier],
        # golden records are compared once, in the merged report
        "--kconform-golden=off",
    ]
    if sys.stdout.isatty() and not any(a.startswith("--color") for a in extra):
        pytest_args.append("--color=yes")
    profile = {"thorough": "thorough", "smoke": "smoke"}.get(args.tier, "ci")
    for arg in extra:
        if arg.startswith("--kconform-profile="):
            profile = arg.split("=", 1)[1]
    report = (
        Path(args.report)
        if args.report
        else default_run_dir(backends or list(load_errors))
    )
    options = RunOptions(
        backends=backends,
        report_dir=report,
        pytest_args=[*pytest_args, *extra],
        jobs=args.jobs or (os.cpu_count() or 1 if args.tier == "smoke" else 1),
        timeout=args.timeout,
        golden=args.golden,
        profile=profile,
        load_errors=dict(load_errors),
    )
    return run_backends(options)


def _report(args: argparse.Namespace) -> int:
    from .records import RecordsError, load_run

    paths = args.paths
    merging = paths[0] == "merge"
    command = "report merge" if merging else "report"
    inputs = [Path(p) for p in (paths[1:] if merging else paths)]
    if merging and not inputs:
        return _error(command, "name the run directories to merge")
    if merging and args.out is None:
        return _error(
            command,
            "--out DIR is required: the run directory to write the merged report "
            "to, e.g. `kconform report merge A B --out merged`",
        )
    if not merging and (len(inputs) != 1 or args.out is not None):
        return _error(
            command,
            f"expected one run directory, got {' '.join(paths)}"
            + (f" --out {args.out}" if args.out else "")
            + "; to merge runs: `kconform report merge A B --out DIR`",
        )
    try:
        shards = [] if merging else _orphan_shards(inputs[0])
        for path in shards or inputs:
            load_run(path)  # a clear error for what is not a run, before rendering
        from . import report

        if shards:  # `kconform run` was killed before it merged: merge now
            print(
                f"kconform report: no results.json in {inputs[0]}; merging the "
                f"{len(shards)} backend shard(s) under {inputs[0] / 'shards'} into it"
            )
            out = inputs[0]
            lines = report.merge(shards, out, golden=args.golden)
        elif merging:
            out = Path(args.out)
            lines = report.merge(inputs, out, golden=args.golden)
        else:
            out = inputs[0]
            lines = report.render(out, golden=args.golden)
    except RecordsError as exc:
        return _error(command, str(exc))
    from .report.terminal import print_lines

    print_lines(lines)
    return EXIT_OK


def _orphan_shards(run_dir: Path) -> list[Path]:
    """The shards of a ``kconform run`` directory that has no merged records
    (the run was killed, SIGKILL included, before its first merge)."""
    if (run_dir / "results.json").exists():
        return []
    return sorted(p.parent for p in run_dir.glob("shards/*/results.json"))


def _golden(argv: list[str]) -> int:
    try:
        from .golden import main
    except ImportError as exc:
        return _error("golden", f"kconform.golden is unavailable: {exc}")
    try:
        return int(main(argv))
    except SystemExit as exc:  # its argparse: --help, or a usage error
        code = exc.code
        return code if isinstance(code, int) else EXIT_OK if code is None else 2


def _new_backend(args: argparse.Namespace) -> int:
    from .scaffold import new_backend, next_steps_text

    try:
        root = new_backend(args.name, Path(args.dir))
    except KconformError as exc:
        return _error("new-backend", str(exc))
    print(next_steps_text(args.name, root))
    return EXIT_OK


def _suggest(args: argparse.Namespace) -> int:
    from .records import RecordsError, load_run
    from .report.findings import suggest_deviations

    try:
        run = load_run(args.run_dir)
    except RecordsError as exc:
        return _error("deviations suggest", str(exc))
    live = [n for n, b in run.backends.items() if b.get("source") != "golden"]
    failing = [
        n
        for n in live
        if any(
            c.get("outcome") == "failed"
            for c in run.backends[n].get("cases", {}).values()
        )
    ]
    name = args.backend
    if name is None:
        if len(failing) > 1:
            return _error(
                "deviations suggest",
                f"several backends have failed cases ({', '.join(failing)}); "
                "name one with --backend",
            )
        name = failing[0] if failing else (live[0] if len(live) == 1 else None)
        if name is None:
            return _error(
                "deviations suggest",
                f"no failed case in {args.run_dir} (backends: {', '.join(live)})",
            )
    if name not in live:
        return _error(
            "deviations suggest",
            f"backend {name!r} is not in {args.run_dir}; it has {', '.join(live)}",
        )
    sys.stdout.write(suggest_deviations(run.doc, name))
    return EXIT_OK


def contract_markdown() -> str:
    """The whole contract as Markdown: conventions, promotion table, every hook."""
    from .contract.conventions import contract_document

    doc = contract_document()
    lines = [
        f"# kconform backend contract {doc['contract_version']}",
        "",
        f"{len(op_names())} ops in {len(doc['groups'])} groups. A backend is a "
        "plugin module (or package) whose functions `kconform_<op>` implement "
        "them, found through the entry-point group `kconform.backends` "
        "(`kconform new-backend NAME` writes one to start from).",
        "",
        "## Conventions",
        "",
    ]
    for item in doc["conventions"]:
        lines += [f"### {item['title']}", "", item["text"], ""]
    dtypes = doc["dtypes"]
    lines += [
        "### Promotion table",
        "",
        "The result dtype of a binary op on dtypes (row, column): the contract's "
        "table, not NumPy's.",
        "",
        "| | " + " | ".join(dtypes) + " |",
        "|---" * (len(dtypes) + 1) + "|",
    ]
    for a in dtypes:
        lines.append(
            f"| **{a}** | " + " | ".join(doc["promotion"][a][b] for b in dtypes) + " |"
        )
    lines.append("")
    for group in doc["groups"]:
        lines += [f"## {group['title']}", ""]
        text = group["doc"]
        body = text.split("\n\n", 1)[1].strip() if "\n\n" in text else ""
        if body:
            lines += [body, ""]
        for hook in group["hooks"]:
            info = OPS[hook["op"]]
            kind = (
                "essential"
                if hook["essential"]
                else "required"
                if hook["required"]
                else "optional"
            )
            lines += [
                f"### `{info.hook}({', '.join(info.argnames)})` ({kind})",
                "",
                *(
                    [f"Defaults a caller may omit: `{info.signature}`.", ""]
                    if info.defaults
                    else []
                ),
                info.doc,
                "",
            ]
    return "\n".join(lines)


def run_cli(argv: list[str]) -> int:
    """Entry point of the `kconform` command; returns the exit code."""
    if argv and argv[0] == "golden":  # the golden module parses its own options
        return _golden(list(argv[1:]))
    parser = build_parser()
    try:
        if argv and argv[0] == "report":  # options may come between the paths
            report = _configure_report(argparse.ArgumentParser(prog="kconform report"))
            args = report.parse_intermixed_args(argv[1:])
            args.command = "report"
        else:
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.command == "list":
        return _list()
    if args.command == "run":
        return _run(args)
    if args.command == "report":
        return _report(args)
    if args.command == "contract":
        if args.format == "json":
            from .contract.conventions import contract_document

            sys.stdout.write(json.dumps(contract_document(), indent=1) + "\n")
        else:
            sys.stdout.write(contract_markdown() + "\n")
        return EXIT_OK
    if args.command == "new-backend":
        return _new_backend(args)
    if args.command == "deviations":
        return _suggest(args)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover
    return EXIT_USAGE
