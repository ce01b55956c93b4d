"""The ``zoom-pandas`` command: demo, participants, webinar, csv, export, cache, sandbox.

Expected failures print one ``zoom-pandas: error: ...`` line and exit 1 (usage errors: argparse's
two lines and exit 2); warnings print one ``zoom-pandas: warning: ...`` line.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import TextIO

from zoom_pandas._version import __version__
from zoom_pandas.cli_cache import add_cache_command
from zoom_pandas.cli_errors import error_line
from zoom_pandas.cli_read import add_read_commands, sandbox_client
from zoom_pandas.cli_sandbox import add_sandbox_command
from zoom_pandas.cli_table import render_table
from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import PartialReadWarning, ZoomPandasError
from zoom_pandas.people import count_people
from zoom_pandas.ratelimit import limits_for
from zoom_pandas.reader import read_participants

__all__ = ["build_parser", "main"]

_EXAMPLES = """\
examples:
  zoom-pandas demo                                  the built-in sandbox, no Zoom account needed
  zoom-pandas sandbox                               the sandbox's meeting and webinar numbers
  zoom-pandas participants 91234567890 --sandbox    a sandbox meeting's participants
  zoom-pandas participants "https://zoom.us/j/85746065432?pwd=..." --out lecture.csv
  zoom-pandas participants 857-4606-5432 --offline  from the cache only, no network
"""


@contextlib.contextmanager
def _cache_dir(folder: str) -> Iterator[None]:
    """``ZOOM_PANDAS_CACHE_DIR`` set to ``folder`` for the block, then as it was."""
    before = os.environ.get("ZOOM_PANDAS_CACHE_DIR")
    os.environ["ZOOM_PANDAS_CACHE_DIR"] = folder
    try:
        yield
    finally:
        if before is None:
            del os.environ["ZOOM_PANDAS_CACHE_DIR"]
        else:
            os.environ["ZOOM_PANDAS_CACHE_DIR"] = before


def _demo(args: argparse.Namespace) -> int:
    from zoom_pandas.sandbox import SandboxData

    with (
        tempfile.TemporaryDirectory(prefix="zoom-pandas-demo-") as folder,
        _cache_dir(folder),
        sandbox_client(args.latency) as client,
    ):
        print(f"zoom-pandas {__version__} demo: the built-in Zoom sandbox at {client.api_url}")
        print(f'read_participants({SandboxData.ALL_HANDS})  # "Company all-hands"')
        started = time.perf_counter()
        frame = read_participants(SandboxData.ALL_HANDS, client=client, progress=True)
        fetched = time.perf_counter() - started
        pages = -(-len(frame) // 300)
        print(
            f"  {len(frame):,} rows, {count_people(frame):,} people, {pages} pages of 300 "
            f"in {fetched:.2f} s over HTTP"
        )
        started = time.perf_counter()
        again = read_participants(frame.attrs["meeting_uuid"], client=client)
        cached = time.perf_counter() - started
        print(f"  again from the Parquet cache ({again.attrs['source']}): {cached * 1000:.0f} ms")
        print()
        print(render_table(frame, rows=8))
        print()
        print(frame.dtypes.to_string())
    return 0


def _rate_limit(text: str) -> str | float:
    """``--rate-limit``: a plan name or Heavy requests per second."""
    value: str | float = text.lower()
    if value not in ("free", "pro", "business"):
        try:
            value = float(text)
        except ValueError:
            value = text
    try:
        limits_for(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected free, pro, business or a number (Heavy requests per second, 0 < N <= 10000), "
            f"got {text!r}"
        ) from None
    return value


def _export(args: argparse.Namespace) -> int:
    from zoom_pandas.export import export

    with contextlib.ExitStack() as stack:
        if args.sandbox:
            client = stack.enter_context(sandbox_client(rate_limit=args.rate_limit))
        else:
            client = ZoomClient(rate_limit=args.rate_limit)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PartialReadWarning)  # the summary names every failure
            summary = export(
                args.out,
                start=args.start,
                end=args.end,
                user=args.user,
                webinars=args.webinars,
                client=client,
                progress=None if sys.stderr.isatty() else False,
            )
    print(summary)
    return 0 if summary.ok else 1


def _date(text: str) -> str:
    """``--from`` / ``--to``: a day as YYYY-MM-DD."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    return text


def _latency(text: str) -> float:
    """``--latency``: seconds, 0 or more."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 60:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to 60, got {text!r}")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface's argument parser."""
    parser = argparse.ArgumentParser(
        prog="zoom-pandas",
        description="Zoom participant reports as pandas frames.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="read a meeting from the built-in sandbox (no Zoom account needed)"
    )
    demo.add_argument(
        "--latency", type=_latency, default=0.0, help="seconds of simulated latency per request"
    )
    demo.set_defaults(run=_demo)

    add_read_commands(commands)

    export = commands.add_parser(
        "export",
        help="export every meeting of a date range to a Hive-partitioned Parquet dataset (resumable)",
        description="Writes DIR/participants/date=YYYY-MM-DD/part-0.parquet (a file per day) and "
        "DIR/meetings/; a rerun fetches only what is missing. Exits 1 when any instance failed "
        "(every other one is written).",
    )
    export.add_argument(
        "--from", dest="start", type=_date, required=True, metavar="DATE", help="first day, YYYY-MM-DD (UTC)"
    )
    export.add_argument(
        "--to", dest="end", type=_date, required=True, metavar="DATE", help="last day, YYYY-MM-DD (UTC)"
    )
    export.add_argument("--out", required=True, metavar="DIR", help="the dataset folder")
    export.add_argument("--user", default="me", help="me (default), a user's email or id, or all")
    export.add_argument("--webinars", action="store_true", help="also export webinars")
    export.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=None,
        metavar="PLAN|N",
        help="pace requests for a Zoom plan (free, pro, business) or N Heavy requests per second",
    )
    export.add_argument("--sandbox", action="store_true", help="use the built-in sandbox, not Zoom")
    export.set_defaults(run=_export)

    add_cache_command(commands)
    add_sandbox_command(commands)
    return parser


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning as one line on stderr, as the errors are."""
    text = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    print(f"zoom-pandas: warning: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 1 after an expected failure (bad input, Zoom errors, cache misses, files
        that cannot be read or written), printed as one ``zoom-pandas: error: ...`` line; 2 for
        a usage error (argparse); 130 when interrupted.
    """
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # shown once each, as one line
            warnings.showwarning = _show_warning
            return int(args.run(args))
    except BrokenPipeError:  # stdout closed early (`| head`): not an error worth a message
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush is quiet too
        return 1
    except (ZoomPandasError, ValueError, OSError) as exc:  # OSError: a file that cannot be read or written
        print(f"zoom-pandas: error: {error_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zoom-pandas: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
