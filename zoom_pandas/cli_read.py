"""``zoom-pandas participants|webinar|csv``: read one meeting's participants and print or save them."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from zoom_pandas.cache_policy import CacheMode
from zoom_pandas.cli_output import check_out, write_result
from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import CacheMiss
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.reader import read_participants, read_webinar_participants

__all__ = ["add_read_commands", "sandbox_client"]

#: The sandbox's cache is keyed by a loopback API URL, whatever port it ran on.
_SANDBOX_API_URL = "http://127.0.0.1/v2"

_OUT_HELP = (
    "write to FILE.parquet (typed, as read) or FILE.csv (durations in whole seconds, times ISO 8601 "
    "in UTC) instead of printing; the folder must exist"
)


@contextlib.contextmanager
def sandbox_client(
    latency: float = 0.0, rate_limit: str | float | None = None, app: str = "admin"
) -> Iterator[ZoomClient]:
    """A client signed in to a built-in sandbox started for this command (stopped after it).

    Parameters
    ----------
    latency : float
        Seconds the sandbox adds to every answer.
    rate_limit : str or float, optional
        The client's pacing (``ZoomClient(rate_limit=...)``).
    app : {"admin", "host"}
        The sandbox app whose tokens it hands out.

    Yields
    ------
    ZoomClient
    """
    from zoom_pandas.sandbox import Sandbox

    with Sandbox(latency=latency, app=app) as sandbox:
        client = sandbox.client(rate_limit=rate_limit)
        try:
            yield client
        finally:
            client.close()


def _read(args: argparse.Namespace) -> int:
    meeting = parse_meeting_id(args.meeting)
    out = check_out(args.out)
    cache: CacheMode = "offline" if args.offline else "refresh" if args.refresh else not args.no_cache
    options: dict[str, Any] = {"include_registrant_id": args.include_registrant_id, "cache": cache}
    if args.command == "participants":
        options["source"] = args.source
    read: Callable[..., pd.DataFrame] = (
        read_webinar_participants if args.command == "webinar" else read_participants
    )
    sandboxed = args.sandbox or args.sandbox_host
    with contextlib.ExitStack() as stack:
        client: ZoomClient | None
        if args.offline:  # the cache only: no sandbox started, no credentials needed
            client = stack.enter_context(ZoomClient(api_url=_SANDBOX_API_URL)) if sandboxed else None
        elif sandboxed:
            client = stack.enter_context(sandbox_client(app="host" if args.sandbox_host else "admin"))
        else:
            client = ZoomClient()
        try:
            frame = read(meeting, client=client, **options)
        except CacheMiss as exc:  # the library's hint names its argument; here it is a flag
            raise CacheMiss(str(exc).replace("pass client= a sandbox client", "add --sandbox")) from None
    kind = "webinar" if args.command == "webinar" else "meeting"
    write_result(frame, out, kind, columns=args.columns, all_columns=args.all_columns, rows=args.rows)
    return 0


def _csv(args: argparse.Namespace) -> int:
    from zoom_pandas.portal_csv import read_zoom_csv

    out = check_out(args.out)
    files: str | list[str] = args.files[0] if len(args.files) == 1 else list(args.files)
    frame = read_zoom_csv(files, tz=args.tz, meeting_id=args.meeting_id)
    write_result(
        frame, out, "meeting", columns=args.columns, all_columns=args.all_columns, rows=args.rows, tz=args.tz
    )
    return 0


def _columns(text: str) -> list[str]:
    """``--columns name,user_email``: column names, in order."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected column names separated by commas, got {text!r}")
    return names


def _rows(text: str) -> int | None:
    """``--rows 40`` or ``--rows all`` (None)."""
    if text.lower() == "all":
        return None
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of rows or all, got {text!r}")
    return int(text)


def _add_output_options(parser: argparse.ArgumentParser, times: str) -> None:
    """--out, and how the table is printed: --columns / --all-columns, --rows."""
    parser.add_argument("--out", metavar="FILE", help=_OUT_HELP)
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--columns",
        type=_columns,
        default=None,
        metavar="A,B,C",
        help="only these columns, in this order (printed or written); default: name, user_email, "
        f"join_time, leave_time, duration, status, without the empty ones, sized to the terminal; {times}",
    )
    shown.add_argument("--all-columns", action="store_true", help="print every column, lines uncut")
    parser.add_argument(
        "--rows", type=_rows, default=40, metavar="N|all", help="print the first N rows (default 40)"
    )


def add_read_commands(commands: Any) -> None:
    """Add ``participants``, ``webinar`` and ``csv`` to the command line's subcommands.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.
    """
    for name, what in (("participants", "meeting"), ("webinar", "webinar")):
        reader = commands.add_parser(
            name,
            help=f"read one {what}'s participant report",
            description=f"Reads the latest ended instance of a {what} number, or the instance a UUID "
            "names, and prints its participants (or writes them with --out). The sandbox's numbers: "
            "zoom-pandas sandbox.",
        )
        reader.add_argument(
            "meeting",
            metavar=what.upper(),
            help=f"{what} number (spaces and dashes allowed), Zoom join link (https://zoom.us/j/…), "
            "or instance UUID",
        )
        _add_output_options(reader, "times in UTC")
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
        cache = reader.add_mutually_exclusive_group()
        cache.add_argument("--refresh", action="store_true", help="fetch again and overwrite the cache")
        cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
        cache.add_argument(
            "--offline",
            action="store_true",
            help="read only the cache (a number: its newest cached instance); no network, no credentials",
        )
        reader.set_defaults(run=_read)

    csv = commands.add_parser(
        "csv",
        help="read participant CSV files exported from Zoom's web portal (no API, no admin rights)",
        description="Reads the files Reports > Usage > Participants > Export writes (with or "
        "without the meeting block) into the same frame as 'participants'. The sandbox writes such "
        "files: zoom-pandas sandbox --csv DIR.",
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
    _add_output_options(csv, "times in the files' ZONE")
    csv.set_defaults(run=_csv)
