"""The `kconform` command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from .cli_commands import run_cli

    return run_cli(sys.argv[1:] if argv is None else argv)
