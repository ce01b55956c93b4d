"""``zoom-pandas cache``: list, locate or clear the Parquet cache (every source's datasets)."""

from __future__ import annotations

import argparse
from typing import Any

from zoom_pandas.cache import ReportCache
from zoom_pandas.default_client import api_url_of
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.specs import MEETING_REPORT, PAST_MEETINGS, WEBINAR_REPORT

__all__ = ["add_cache_command"]


def _stores(args: argparse.Namespace) -> list[ReportCache]:
    """The datasets a ``cache`` command works on: every source's, Zoom's or the sandbox's."""
    api_url = "http://127.0.0.1/v2" if args.sandbox else api_url_of(None)
    return [
        ReportCache(spec.dataset, api_url=api_url) for spec in (MEETING_REPORT, PAST_MEETINGS, WEBINAR_REPORT)
    ]


def _cache(args: argparse.Namespace) -> int:
    stores = _stores(args)
    if args.cache_command == "path":
        print(stores[0].dataset_dir.parent)
    elif args.cache_command == "list":
        reports = [(store, report) for store in stores for report in store.reports()]
        if not reports:
            other = "" if args.sandbox else " (the sandbox's reads: zoom-pandas cache --sandbox list)"
            print(f"the cache at {stores[0].dataset_dir.parent} is empty{other}")
        for store, report in reports:
            flag = " provisional" if report.provisional else ""
            print(
                f"{store.dataset_dir.name:<20}  {report.meeting_id}  {report.meeting_uuid}  "
                f"{report.rows:>7,} rows  fetched {report.fetched_at:%Y-%m-%d %H:%M} UTC{flag}"
            )
    elif args.cache_command == "clear":
        removed = 0
        for store in stores:
            if args.meeting is None:
                removed += store.clear()
            else:
                meeting = parse_meeting_id(args.meeting)
                removed += (
                    store.clear(meeting_id=meeting)
                    if isinstance(meeting, int)
                    else store.clear(meeting_uuid=meeting)
                )
        print(f"removed {removed} cached report(s)")
    return 0


def add_cache_command(commands: Any) -> None:
    """Add ``cache list|path|clear`` to the command line's subcommands."""
    cache = commands.add_parser("cache", help="inspect or clear the Parquet cache")
    cache.add_argument("--sandbox", action="store_true", help="the sandbox's cache, not Zoom's")
    cache_commands = cache.add_subparsers(dest="cache_command", required=True)
    sandbox_flag = argparse.ArgumentParser(add_help=False)
    sandbox_flag.add_argument(
        "--sandbox", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    cache_commands.add_parser("list", parents=[sandbox_flag], help="cached meetings, rows, fetch time")
    cache_commands.add_parser("path", parents=[sandbox_flag], help="print the cache folder")
    clear = cache_commands.add_parser(
        "clear", parents=[sandbox_flag], help="delete cached reports (all, or one meeting)"
    )
    clear.add_argument("meeting", nargs="?", help="meeting number or instance UUID")
    cache.set_defaults(run=_cache)
