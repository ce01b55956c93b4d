"""The ``zoom-pandas`` command: demo, participants, webinar, export, cache."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from zoom_pandas._version import __version__
from zoom_pandas.cache_policy import CacheMode
from zoom_pandas.cli_cache import add_cache_command
from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import PartialReadWarning, ZoomPandasError
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.people import count_people
from zoom_pandas.ratelimit import limits_for
from zoom_pandas.reader import read_participants, read_webinar_participants

__all__ = ["main"]


@contextlib.contextmanager
def _sandbox_client(
    latency: float = 0.0, rate_limit: str | float | None = None, app: str = "admin"
) -> Iterator[ZoomClient]:
    from zoom_pandas.sandbox import Sandbox

    with Sandbox(latency=latency, app=app) as sandbox:
        client = sandbox.client(rate_limit=rate_limit)
        try:
            yield client
        finally:
            client.close()


def _demo(args: argparse.Namespace) -> int:
    from zoom_pandas.sandbox import SandboxData

    with (
        tempfile.TemporaryDirectory(prefix="zoom-pandas-demo-") as folder,
        _sandbox_client(args.latency) as client,
    ):
        os.environ["ZOOM_PANDAS_CACHE_DIR"] = folder
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
        print(frame[["name", "join_time", "leave_time", "duration", "status"]].head(8).to_string())
        print()
        print(frame.dtypes.to_string())
    return 0


def _participants(args: argparse.Namespace) -> int:
    meeting = parse_meeting_id(args.meeting)
    _output(args.out)
    cache: CacheMode = "refresh" if args.refresh else not args.no_cache
    options: dict[str, Any] = {"include_registrant_id": args.include_registrant_id, "cache": cache}
    if args.command == "participants":
        options["source"] = args.source
    read: Callable[..., pd.DataFrame] = (
        read_webinar_participants if args.command == "webinar" else read_participants
    )
    with contextlib.ExitStack() as stack:
        if args.sandbox or args.sandbox_host:
            client = stack.enter_context(_sandbox_client(app="host" if args.sandbox_host else "admin"))
        else:
            client = ZoomClient()
        frame = read(meeting, client=client, **options)
    _write(frame, _output(args.out), args.command)
    return 0


def _output(text: str | None) -> Path | None:
    """``--out``: a .parquet or .csv file (checked before any request)."""
    out = Path(text) if text else None
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise ValueError(f"--out must end in .parquet or .csv, got {out.name!r}")
    return out


def _csv(args: argparse.Namespace) -> int:
    from zoom_pandas.portal_csv import read_zoom_csv

    out = _output(args.out)
    files: str | list[str] = args.files[0] if len(args.files) == 1 else list(args.files)
    frame = read_zoom_csv(files, tz=args.tz, meeting_id=args.meeting_id)
    _write(frame, out, "meeting")
    return 0


def _write(frame: pd.DataFrame, out: Path | None, kind: str) -> None:
    """A one-line summary on stderr; the frame on stdout or in ``out``."""
    attrs = frame.attrs
    meetings = attrs.get("meetings") or []
    endpoints = ", ".join(sorted({str(m.get("endpoint")) for m in meetings})) or "none"
    if len(meetings) == 1:
        what = f"{kind} {attrs['meeting_id']} instance {attrs['meeting_uuid']}"
        where = f"source: {attrs['source']}, endpoint: {endpoints}"
    else:
        what, where = f"{len(meetings)} {kind} instances", f"endpoint: {endpoints}"
    print(f"{what}: {len(frame):,} rows, {count_people(frame):,} people ({where})", file=sys.stderr)
    if out is None:
        print(frame.to_string(max_rows=40))
        return
    if out.suffix.lower() == ".parquet":
        frame.to_parquet(out, index=False)
    else:
        frame.to_csv(out, index=False)
    print(f"wrote {out}", file=sys.stderr)


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
            client = stack.enter_context(_sandbox_client(rate_limit=args.rate_limit))
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


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface's argument parser."""
    parser = argparse.ArgumentParser(
        prog="zoom-pandas", description="Zoom participant reports as pandas frames."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="read a meeting from the built-in sandbox (no Zoom account needed)"
    )
    demo.add_argument("--latency", type=float, default=0.0, help="seconds of simulated latency per request")
    demo.set_defaults(run=_demo)

    for name, what in (("participants", "meeting"), ("webinar", "webinar")):
        reader = commands.add_parser(name, help=f"read one {what}'s participant report")
        reader.add_argument(
            "meeting", metavar=what.upper(), help=f"{what} number (spaces allowed) or instance UUID"
        )
        reader.add_argument("--out", help="write to FILE.parquet or FILE.csv instead of printing")
        reader.add_argument("--include-registrant-id", action="store_true", help="also fetch registrant_id")
        sandboxes = reader.add_mutually_exclusive_group()
        sandboxes.add_argument("--sandbox", action="store_true", help="use the built-in sandbox, not Zoom")
        sandboxes.add_argument(
            "--sandbox-host",
            action="store_true",
            help="the built-in sandbox, signed in as a host without admin rights (no report scopes)",
        )
        if name == "participants":
            reader.add_argument(
                "--source",
                choices=("auto", "report", "past_meetings"),
                default="auto",
                help="the participant report (an admin's scope), the host's past meetings, or the "
                "report falling back to past meetings when Zoom refuses it (default: auto)",
            )
        group = reader.add_mutually_exclusive_group()
        group.add_argument("--refresh", action="store_true", help="fetch again and overwrite the cache")
        group.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
        reader.set_defaults(run=_participants)

    export = commands.add_parser(
        "export",
        help="export every meeting of a date range to a Hive-partitioned Parquet dataset (resumable)",
        description="Writes DIR/participants/date=YYYY-MM-DD/part-0.parquet (a file per day) and "
        "DIR/meetings/; a rerun fetches only what is missing. Exits 1 when any instance failed "
        "(every other one is written).",
    )
    export.add_argument(
        "--from", dest="start", required=True, metavar="DATE", help="first day, YYYY-MM-DD (UTC)"
    )
    export.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, YYYY-MM-DD (UTC)")
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

    csv = commands.add_parser(
        "csv",
        help="read participant CSV files exported from Zoom's web portal (no API, no admin rights)",
        description="Reads the files Reports > Usage > Participants > Export writes (with or "
        "without the meeting block) into the same frame as 'participants'.",
    )
    csv.add_argument(
        "files", nargs="+", metavar="FILE", help="CSV files, or a quoted glob such as 'exports/*.csv'"
    )
    csv.add_argument(
        "--tz", required=True, metavar="ZONE", help="the exporting user's Zoom time zone, e.g. Europe/London"
    )
    csv.add_argument(
        "--meeting-id", default=None, help="the meeting number (spaces allowed), when the files lack it"
    )
    csv.add_argument("--out", help="write to FILE.parquet or FILE.csv instead of printing")
    csv.set_defaults(run=_csv)

    add_cache_command(commands)
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
    print(f"zoom-pandas: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Expected failures (bad input, Zoom errors, cache misses) print one line and return 1.
    """
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # shown once each, as one line
            warnings.showwarning = _show_warning
            return int(args.run(args))
    except (ZoomPandasError, ValueError, OSError) as exc:  # OSError: a folder or file that cannot be written
        print(f"zoom-pandas: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zoom-pandas: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
