"""Command line: ``python -m wirenlp demo [FOLDER]``."""

from __future__ import annotations

import argparse
import sys

from wirenlp import __version__
from wirenlp.demo import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wirenlp", description=__doc__)
    parser.add_argument("--version", action="version", version=f"wirenlp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="analyse a folder of .txt stories (default: sample)")
    demo.add_argument("folder", nargs="?", help="folder of .txt files")
    args = parser.parse_args(argv)
    if args.command == "demo":
        try:
            run(args.folder)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
