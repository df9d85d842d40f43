"""The `etiquette` command: parses arguments, calls the library, prints what happened.

`parser` declares the subcommands and their options, `commands` holds what each one does; this
module runs one. Every error that comes from bad input is printed as one line naming the file (and
line) and exits with status 1; the project is left as it was.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

from desktop.cli.commands import CliError
from desktop.cli.parser import build_parser
from desktop.errors import UNCHANGED, StoppedPartway, explain

__all__ = ["CliError", "build_parser", "main", "run"]

EXIT_BAD_INPUT = 1
EXIT_BROKEN_PIPE = 141
"""As a program killed by SIGPIPE: the reader of stdout closed it (`| head`)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    return run(args)


def run(args: argparse.Namespace) -> int:
    from desktop.formats import ExportLossError, FormatError
    from desktop.model import SchemeError
    from desktop.nlp.pipeline import PipelineError
    from desktop.store import ProjectError

    errors: tuple[type[BaseException], ...] = (
        CliError,
        FormatError,
        ExportLossError,
        PipelineError,
        ProjectError,
        SchemeError,
        ValueError,
    )
    try:
        code: Any = args.func(args)
        sys.stdout.flush()
        return int(code or 0)
    except errors as e:
        print(f"etiquette {args.command}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `etiquette … | head`: the reader has what it wanted
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except (OSError, sqlite3.Error, StoppedPartway) as e:
        outcome = UNCHANGED
        if args.command == "export":
            outcome = "nothing was exported; the project and earlier exports are unchanged"
        elif args.command == "init":
            outcome = "no project was created"
        message = explain(e, getattr(args, "project", None), outcome)
        print(f"etiquette {args.command}: error: {message or e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"etiquette {args.command}: interrupted; what was committed is kept", file=sys.stderr)
        return 130


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush finds no closed pipe."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
