"""The ``zoom-pandas`` command: demo, participants, cache."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from zoom_pandas import __version__
from zoom_pandas.cache import ParticipantCache, cache_dir
from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import ZoomPandasError
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.reader import CacheMode, read_participants
from zoom_pandas.schema import count_people

__all__ = ["main"]


@contextlib.contextmanager
def _sandbox_client(latency: float = 0.0) -> Iterator[ZoomClient]:
    from zoom_pandas.sandbox import Sandbox

    with Sandbox(latency=latency) as sandbox:
        client = sandbox.client()
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
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise ValueError(f"--out must end in .parquet or .csv, got {out.name!r}")
    cache: CacheMode = "refresh" if args.refresh else not args.no_cache
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(_sandbox_client()) if args.sandbox else ZoomClient()
        frame = read_participants(
            meeting, include_registrant_id=args.include_registrant_id, cache=cache, client=client
        )
    attrs = frame.attrs
    print(
        f"meeting {attrs['meeting_id']} instance {attrs['meeting_uuid']}: {len(frame):,} rows, "
        f"{count_people(frame):,} people (source: {attrs['source']})",
        file=sys.stderr,
    )
    if out is None:
        print(frame.to_string(max_rows=40))
    elif out.suffix.lower() == ".parquet":
        frame.to_parquet(out, index=False)
        print(f"wrote {out}", file=sys.stderr)
    else:
        frame.to_csv(out, index=False)
        print(f"wrote {out}", file=sys.stderr)
    return 0


def _cache(args: argparse.Namespace) -> int:
    store = ParticipantCache()
    if args.cache_command == "path":
        print(cache_dir())
    elif args.cache_command == "list":
        reports = store.reports()
        if not reports:
            print(f"the cache at {store.root} is empty")
        for report in reports:
            flag = " provisional" if report.provisional else ""
            print(
                f"{report.meeting_id}  {report.meeting_uuid}  {report.rows:>7,} rows  "
                f"fetched {report.fetched_at:%Y-%m-%d %H:%M} UTC{flag}"
            )
    elif args.cache_command == "clear":
        if args.meeting is None:
            removed = store.clear()
        else:
            meeting = parse_meeting_id(args.meeting)
            removed = (
                store.clear(meeting_id=meeting)
                if isinstance(meeting, int)
                else store.clear(meeting_uuid=meeting)
            )
        print(f"removed {removed} cached report(s)")
    return 0


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

    participants = commands.add_parser("participants", help="read one meeting's participant report")
    participants.add_argument("meeting", help="meeting number (spaces allowed) or instance UUID")
    participants.add_argument("--out", help="write to FILE.parquet or FILE.csv instead of printing")
    participants.add_argument("--include-registrant-id", action="store_true", help="also fetch registrant_id")
    participants.add_argument("--sandbox", action="store_true", help="use the built-in sandbox, not Zoom")
    group = participants.add_mutually_exclusive_group()
    group.add_argument("--refresh", action="store_true", help="fetch again and overwrite the cache")
    group.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    participants.set_defaults(run=_participants)

    cache = commands.add_parser("cache", help="inspect or clear the Parquet cache")
    cache_commands = cache.add_subparsers(dest="cache_command", required=True)
    cache_commands.add_parser("list", help="cached meetings, rows, fetch time")
    cache_commands.add_parser("path", help="print the cache folder")
    clear = cache_commands.add_parser("clear", help="delete cached reports (all, or one meeting)")
    clear.add_argument("meeting", nargs="?", help="meeting number or instance UUID")
    cache.set_defaults(run=_cache)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Expected failures (bad input, Zoom errors, cache misses) print one line and return 1.
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (ZoomPandasError, ValueError) as exc:
        print(f"zoom-pandas: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zoom-pandas: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
