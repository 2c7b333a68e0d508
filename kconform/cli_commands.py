"""The `kconform` subcommands: list, run, contract.

Exit codes: 0 conformant, 1 failures, 2 usage or load error.
"""

from __future__ import annotations

import argparse
import sys

from ._version import __version__
from .contract import CONTRACT_VERSION, OPS, op_names
from .errors import BackendLoadError
from .plugins import BackendRegistry

__all__ = ["build_parser", "contract_markdown", "run_cli"]

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
TIERS = {
    # smoke: canonical values only, no exploration: under a minute per backend
    "smoke": ["-m", "values or property or errors"],
    "default": [],
    "thorough": ["--kconform-profile=thorough"],
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kconform",
        description="Conformance suite for numerical deep-learning backends.",
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
    run = sub.add_parser("run", help="Run the conformance suite (wraps pytest)")
    run.add_argument(
        "--backend",
        default="numpy",
        help="'all' or a comma-separated list of backends (default: numpy)",
    )
    run.add_argument(
        "--backend-plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="Load an unpackaged plugin module by import path (repeatable)",
    )
    run.add_argument(
        "--tier",
        choices=sorted(TIERS),
        default="default",
        help="smoke: canonical cases only; default; thorough: long exploration",
    )
    run.add_argument(
        "--report",
        default="reports",
        metavar="DIR",
        help="Directory for reports and reproductions (default: reports)",
    )
    run.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        help="Further pytest arguments after '--', e.g. -- -k softmax -x",
    )
    sub.add_parser("contract", help="Print the backend contract as Markdown")
    return parser


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
        print(
            f"{name:12s} {info['framework']} {info['framework_version']}"
            f" on {info['device']}"
            f"  ops {len(b.implemented)}/{len(op_names())}"
            f"  capabilities: {', '.join(sorted(b.capabilities)) or 'none'}"
            f"  deviations declared: {len(b.deviations)}"
        )
    return status


def _run(args: argparse.Namespace) -> int:
    import pytest

    extra = [a for a in args.pytest_args if a != "--"]
    argv = [
        "--pyargs",
        "kconform.suite",
        f"--backend={args.backend}",
        f"--kconform-report-dir={args.report}",
        "-p",
        "no:cacheprovider",
        # kconform is imported before pytest starts, so it cannot be assert-rewritten.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        *(f"--backend-plugin={m}" for m in args.backend_plugin),
        *TIERS[args.tier],
        *extra,
    ]
    code = int(pytest.main(argv))
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        return EXIT_USAGE
    return EXIT_OK if code == pytest.ExitCode.OK else EXIT_FAILURES


def contract_markdown() -> str:
    """The contract as Markdown, generated from the hookspecs' docstrings."""
    lines = [
        f"# kconform backend contract {CONTRACT_VERSION}",
        "",
        f"{len(op_names())} ops. Implement each as `kconform_<op>` "
        "in your plugin module, decorated with `@kconform.hookimpl`, "
        "with exactly these argument names.",
        "",
    ]
    group = None
    for info in OPS.values():
        if info.group != group:
            group = info.group
            lines += [f"## {group}", ""]
        req = "required" if info.required else "optional"
        lines += [
            f"### `{info.hook}({', '.join(info.argnames)})` ({req})",
            "",
            info.doc,
            "",
        ]
    return "\n".join(lines)


def run_cli(argv: list[str]) -> int:
    """Entry point of the `kconform` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.command == "list":
        return _list()
    if args.command == "run":
        return _run(args)
    if args.command == "contract":
        sys.stdout.write(contract_markdown() + "\n")
        return EXIT_OK
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover
    return EXIT_USAGE
