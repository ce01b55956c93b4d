"""``zoom-pandas sandbox``: the built-in sandbox's meetings and webinars, or its web-portal CSV exports.

Nothing is served: the listing comes from the sandbox's data (the numbers ``--sandbox`` reads), so
it costs no server start.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import textwrap
from typing import Any

from zoom_pandas.meeting_ids import parse_meeting_id

__all__ = ["add_sandbox_command"]


def _sandbox(args: argparse.Namespace) -> int:
    from zoom_pandas.sandbox.catalog import listing, render_listing
    from zoom_pandas.sandbox.data import SandboxData

    try:
        data = SandboxData(args.seed, bulk=args.bulk)
    except ValueError as exc:  # a --bulk the sandbox refuses
        raise ValueError(f"--bulk: {exc}") from None
    if args.csv is not None:
        return _write_csv(args, data)
    if args.meeting or args.tz:
        args.parser.error("--meeting and --tz go with --csv")
    entries = listing(data, everything=args.all)
    width = shutil.get_terminal_size().columns
    for line in render_listing(entries, width=width):
        print(line)
    hidden = len(data.meetings) + len(data.webinars) - len(entries)
    more = f"; {hidden} more: --all" if hidden else ""
    footer = (
        f"[{len(entries)} listed{more}; read one: zoom-pandas participants {SandboxData.LECTURE} "
        f"--sandbox, or zoom-pandas webinar {SandboxData.WEBINAR_SERIES} --sandbox]"
    )
    print("\n".join(textwrap.wrap(footer, width=max(width, 40), break_on_hyphens=False)))
    return 0


def _write_csv(args: argparse.Namespace, data: Any) -> int:
    """Write web-portal CSV exports of sandbox meetings (default: every course session)."""
    from zoom_pandas.sandbox.data import SandboxData
    from zoom_pandas.sandbox.portal_csv import export_csv, find_instance

    refs = [parse_meeting_id(ref) for ref in args.meeting] if args.meeting else None
    if refs is None:
        refs = [i.uuid for i in data.meetings[SandboxData.COURSE].instances]
    zones = set()
    for ref in refs:
        zone = args.tz or find_instance(data, ref).meeting.host.timezone
        try:
            path = export_csv(data, ref, args.csv, tz=zone)
        except KeyError as exc:  # zoneinfo's unknown zone
            raise ValueError(f"--tz: {exc.args[0] if exc.args else exc}") from None
        zones.add(zone)
        print(path)
    if len(zones) == 1:
        glob = shlex.quote(str(args.csv / "*.csv"))
        print(f"read them: zoom-pandas csv {glob} --tz {zones.pop()}", file=sys.stderr)
    return 0


def _bulk(text: str) -> tuple[int, int]:
    """``--bulk``, checked by the sandbox's own option (imported when used: the CLI starts light)."""
    from zoom_pandas.sandbox.bulk import bulk_option

    return bulk_option(text)


def add_sandbox_command(commands: Any) -> None:
    """Add ``sandbox`` to the command line's subcommands.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.
    """
    from pathlib import Path

    sandbox = commands.add_parser(
        "sandbox",
        help="list the built-in sandbox's meetings and webinars (what --sandbox reads)",
        description="Lists the sandbox account's named meetings and webinars (the same numbers for "
        "every seed) with their topics, instance counts and latest start; --all lists every one. "
        "With --csv DIR it writes web-portal participant CSV exports instead (for 'zoom-pandas csv').",
    )
    sandbox.add_argument("--all", action="store_true", help="every meeting and webinar, not only the named")
    sandbox.add_argument("--seed", type=int, default=0, help="the sandbox's seed (default 0, as --sandbox)")
    sandbox.add_argument(
        "--bulk", type=_bulk, default=None, metavar="NxM", help="as python -m zoom_pandas.sandbox --bulk"
    )
    exports = sandbox.add_argument_group("web-portal CSV exports")
    exports.add_argument("--csv", type=Path, default=None, metavar="DIR", help="write CSV exports into DIR")
    exports.add_argument(
        "--meeting",
        nargs="+",
        default=None,
        metavar="N",
        help="meeting numbers (latest instance) or instance UUIDs (default: every session of the course)",
    )
    exports.add_argument(
        "--tz", default=None, metavar="ZONE", help="the exports' time zone (default: the host's)"
    )
    sandbox.set_defaults(run=_sandbox, parser=sandbox)
