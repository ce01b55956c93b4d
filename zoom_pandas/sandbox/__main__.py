"""``python -m zoom_pandas.sandbox``: run the Zoom sandbox as its own process until interrupted.

With ``--csv DIR`` it serves nothing: it writes web-portal participant CSV exports of sandbox
meetings into DIR (default: every session of ``SandboxData.COURSE``), prints their paths and exits.
Failures print one ``python -m zoom_pandas.sandbox: error: ...`` line (a busy port exits 1).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from zoom_pandas.sandbox.apps import APPS
from zoom_pandas.sandbox.bulk import BULK_EMAIL, bulk_option
from zoom_pandas.sandbox.catalog import listing, render_listing, stable_numbers
from zoom_pandas.sandbox.data import SandboxData
from zoom_pandas.sandbox.limits import PLANS
from zoom_pandas.sandbox.portal_csv import export_csv
from zoom_pandas.sandbox.server import Sandbox

#: What each ``--app`` is, for the banner.
_APP_NAMES = {
    "admin": "an account-level app (Server-to-Server; me = owner@example.com)",
    "host": f"a host's user-level app without admin rights (me = {SandboxData.TEACHER}; no reports)",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM; print the URL and the ``ZOOM_*`` settings first."""
    parser = argparse.ArgumentParser(
        prog="python -m zoom_pandas.sandbox",
        description=__doc__,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=_port, default=0, help="port (0 picks a free one)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    parser.add_argument("--latency", type=_seconds, default=0.0, help="seconds added to every answer")
    parser.add_argument(
        "--rate-limit", type=_rate, default=None, help="requests per second over every route before 429"
    )
    parser.add_argument(
        "--plan",
        choices=sorted(PLANS),
        default=None,
        help="Zoom's per-label limits of this plan (free 4/2/1, pro 30/20/10, business 80/60/40 "
        "Light/Medium/Heavy requests per second)",
    )
    parser.add_argument(
        "--daily-limit", type=int, default=None, metavar="N", help="Heavy requests per UTC day before 429"
    )
    parser.add_argument(
        "--bulk",
        type=bulk_option,
        default=None,
        metavar="NxM",
        help=f"add N meetings of exactly M participant rows each, hosted by {BULK_EMAIL}",
    )
    parser.add_argument(
        "--app",
        choices=sorted(APPS),
        default="admin",
        help="the app whose tokens the sandbox hands out: admin (account-level scopes) or host "
        f"(a host's user-level scopes; me = {SandboxData.TEACHER})",
    )
    exports = parser.add_argument_group("web-portal CSV exports (write files and exit)")
    exports.add_argument(
        "--csv", type=Path, default=None, metavar="DIR", help="write participant CSV files here"
    )
    exports.add_argument("--tz", default=None, metavar="ZONE", help="IANA time zone (default: each host's)")
    exports.add_argument(
        "--meeting",
        nargs="+",
        default=None,
        metavar="N_OR_UUID",
        help="meeting numbers (latest instance) or instance UUIDs (default: every course session)",
    )
    exports.add_argument(
        "--layout",
        choices=("with-meeting", "participants-only"),
        default=None,
        help="start with the meeting block (default) or with the participant table",
    )
    exports.add_argument(
        "--date-format",
        choices=("us", "day-first"),
        default=None,
        help="11/19/2021 10:08:10 AM (us, default) or 19/11/2021 10:08:10 (day-first)",
    )
    args = parser.parse_args(argv)
    if args.csv is not None:
        return _write_exports(args)
    if args.tz or args.meeting or args.layout or args.date_format:
        parser.error("--tz, --meeting, --layout and --date-format go with --csv")
    if args.daily_limit is not None and args.daily_limit < 0:
        parser.error("--daily-limit must be >= 0")
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error("the sandbox only listens on loopback addresses")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:  # the socket is bound here: a busy port is the user's to fix, not a traceback
        serving = Sandbox(
            host=args.host,
            port=args.port,
            seed=args.seed,
            latency=args.latency,
            rate_limit=args.rate_limit,
            rate_limits=args.plan,
            daily_limit=args.daily_limit,
            bulk=args.bulk,
            app=args.app,
        )
    except OSError as exc:
        print(f"{parser.prog}: error: {_cannot_listen(args.host, args.port, exc)}", file=sys.stderr)
        return 1
    with serving as sandbox:
        print(f"sandbox listening on {sandbox.url}", flush=True)
        print(f"rate limits: {sandbox.limits.describe()}", flush=True)
        for name, value in sandbox.env().items():
            print(f"export {name}={value}", flush=True)
        if args.bulk:
            print(f"bulk: {args.bulk[0]} meetings of {args.bulk[1]} rows, hosted by {BULK_EMAIL}", flush=True)
        print(stable_numbers(sandbox.data), flush=True)
        print(f"app: {args.app}, {_APP_NAMES[args.app]}; scopes: {sandbox.oauth.scopes}", flush=True)
        print("\n".join(["", *render_listing(listing(sandbox.data)), _try(args)]), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


def _write_exports(args: argparse.Namespace) -> int:
    """Write one CSV export per asked instance into ``args.csv``; print each path."""
    data = SandboxData(args.seed, bulk=args.bulk)
    refs = args.meeting or [i.uuid for i in data.meetings[SandboxData.COURSE].instances]
    options = {
        "meeting_block": args.layout != "participants-only",
        "date_format": "day_first" if args.date_format == "day-first" else "us",
    }
    for ref in refs:
        try:
            path = export_csv(data, ref, args.csv, tz=args.tz, **options)
        except (ValueError, KeyError, OSError) as exc:  # unknown meeting or time zone, unwritable folder
            print(f"python -m zoom_pandas.sandbox: error: {_reason(exc)}", file=sys.stderr, flush=True)
            return 2
        print(path, flush=True)
    return 0


def _port(text: str) -> int:
    """``--port``: 0-65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return port


def _seconds(text: str) -> float:
    """``--latency``: seconds, 0 or more."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 3600:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to 3600, got {text!r}")
    return seconds


def _rate(text: str) -> float:
    """``--rate-limit``: requests per second, more than 0."""
    try:
        rate = float(text)
    except ValueError:
        rate = 0.0
    if not 0 < rate < float("inf"):
        raise argparse.ArgumentTypeError(f"expected requests per second (more than 0), got {text!r}")
    return rate


def _reason(exc: Exception) -> str:
    """An exception as a message: a file error without its errno, a time zone's KeyError as text."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc)


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    """Why the sandbox could not bind, in one line, and what to do."""
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; choose another --port, or --port 0 for a free one"
    return f"cannot listen on {where}: {exc.strerror or exc}"


def _try(args: argparse.Namespace) -> str:
    """After the banner's listing: how to read one of them, and where every number is listed."""
    bulk = f"{args.bulk[0]}x{args.bulk[1]}" if args.bulk else None
    same = "".join(f" --{name} {value}" for name, value in (("seed", args.seed), ("bulk", bulk)) if value)
    return (
        f"with the settings above exported: zoom-pandas participants {SandboxData.LECTURE}; "
        f"every number: zoom-pandas sandbox --all{same}"
    )


def _epilog() -> str:
    """The ``--help`` epilog: the numbers that are the same for every seed, with their topics."""
    named = "\n".join(f"  {line}" for line in render_listing(listing(SandboxData())))
    return f"meetings and webinars of every seed (zoom-pandas sandbox --all lists all of them):\n{named}"


if __name__ == "__main__":
    sys.exit(main())
