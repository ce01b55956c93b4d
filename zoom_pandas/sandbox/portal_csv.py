"""Participant CSV files as Zoom's web portal exports them (Reports > Usage > Participants > Export).

The format (zoom/FACTS.md §3.10, DESIGN.md "Without admin rights"):

* UTF-8, with a byte-order mark by default;
* with ``meeting_block=True`` ("Export with meeting data") first the header
  ``Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants``, one row
  (the meeting number in plain digits, as in zoomclass' sample export; the host's email; the
  meeting's minutes; Zoom's participants count) and one blank line;
* then the participant table: ``Name (Original Name),User Email,Join Time,Leave Time,
  Duration (Minutes)`` and, as asked, ``Guest``, ``Recording Consent``, ``In Waiting Room``;
  one line per row of the participant report, in its order (never "unique users");
* times are wall clock in the exporting user's time zone without a zone: US
  ``11/19/2021 10:08:10 AM`` or day-first 24-hour ``19/11/2021 10:08:10``;
* ``Duration (Minutes)``: each row's seconds rounded up to whole minutes (548 s shows 9.13 -> 10);
* ``Name (Original Name)``: the report's ``name``; a few people per instance renamed themselves:
  ``Current (Original)`` with the report's name first, so a reader taking the last parenthesized
  group as the original name gets the report's name back;
* ``Guest`` ``Yes`` for rows without a Zoom account id (Zoom hides it for guests), else ``No``;
  ``Recording Consent`` ``Y`` for rows in the meeting, empty in the waiting room;
  ``In Waiting Room`` ``Yes`` for ``status == "in_waiting_room"``.

Who renamed themselves, and to what, comes from the instance's own seed
(``random.Random(f"portal-csv:{seed}")``), so exporting never changes the sandbox's data.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoom_pandas.sandbox.data import SandboxData
    from zoom_pandas.sandbox.instances import Instance

__all__ = [
    "DATE_FORMATS",
    "MEETING_HEADER",
    "PARTICIPANT_HEADER",
    "csv_name",
    "export_csv",
    "find_instance",
    "renames",
    "write_portal_csv",
]

MEETING_HEADER = (
    "Meeting ID",
    "Topic",
    "Start Time",
    "End Time",
    "User Email",
    "Duration (Minutes)",
    "Participants",
)
#: Every column of the participant table, in Zoom's order (the last three are optional).
PARTICIPANT_HEADER = (
    "Name (Original Name)",
    "User Email",
    "Join Time",
    "Leave Time",
    "Duration (Minutes)",
    "Guest",
    "Recording Consent",
    "In Waiting Room",
)
#: ``date_format`` values: US 12-hour with AM/PM, or day-first 24-hour.
DATE_FORMATS = ("us", "day_first")

#: Names devices give a person who has not renamed themself (``{first}``: the first name).
_ORIGINALS = (
    "{first}'s iPhone",
    "{first}'s iPad",
    "{first}'s MacBook Pro",
    "Galaxy S23",
    "{first}",
    "Zoom user",
)
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def write_portal_csv(
    instance: Instance,
    path: str | Path,
    *,
    tz: str | dt.tzinfo,
    meeting_block: bool = True,
    date_format: str = "us",
    waiting_room: bool = True,
    guest: bool = True,
    recording_consent: bool = False,
    bom: bool = True,
) -> Path:
    """Write one meeting instance's participants as a web-portal CSV export.

    Parameters
    ----------
    instance : Instance
        The sandbox meeting instance (its participant report rows, in order).
    path : str or Path
        The file to write (replaced if present).
    tz : str or tzinfo
        The exporting user's Zoom time zone (IANA name): times are written as its wall clock.
    meeting_block : bool
        Start with the meeting block ("Export with meeting data"); else the participant table
        starts on line 1.
    date_format : {"us", "day_first"}
        ``"us"``: ``11/19/2021 10:08:10 AM``; ``"day_first"``: ``19/11/2021 10:08:10`` (24-hour).
    waiting_room, guest, recording_consent : bool
        Include the ``In Waiting Room``, ``Guest`` and ``Recording Consent`` columns.
    bom : bool
        Start the file with a UTF-8 byte-order mark, as Zoom's exports do.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        For an unknown ``date_format``.
    zoneinfo.ZoneInfoNotFoundError
        For an unknown time zone name.

    Examples
    --------
    >>> instance = SandboxData().latest_instance(SandboxData.COURSE)          # doctest: +SKIP
    >>> write_portal_csv(instance, "course.csv", tz="Europe/London")          # doctest: +SKIP
    """
    if date_format not in DATE_FORMATS:
        raise ValueError(f"date_format must be one of {', '.join(DATE_FORMATS)}, not {date_format!r}")
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz

    def when(value: dt.datetime | str) -> str:
        return _wall_clock(value, zone, date_format)

    columns = [*PARTICIPANT_HEADER[:5]]
    columns += [
        name
        for name, wanted in zip(PARTICIPANT_HEADER[5:], (guest, recording_consent, waiting_room), strict=True)
        if wanted
    ]
    renamed = renames(instance)
    target = Path(path)
    with target.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if meeting_block:
            summary = instance.summary()
            writer.writerow(MEETING_HEADER)
            writer.writerow(
                [
                    instance.meeting.id,
                    instance.meeting.topic,
                    when(instance.start_time),
                    when(instance.end_time),
                    instance.meeting.host.email,
                    instance.minutes,
                    summary["participants_count"],
                ]
            )
            writer.writerow([])
        writer.writerow(columns)
        for row in instance.rows():
            cells = _cells(row, renamed, when)
            writer.writerow([cells[name] for name in columns])
    return target


def _cells(row: dict[str, Any], renamed: dict[str, str], when: Callable[[str], str]) -> dict[str, Any]:
    """One report row as the export's cells, by column name."""
    name = row["name"]
    waiting = row["status"] == "in_waiting_room"
    return {
        "Name (Original Name)": f"{name} ({renamed[name]})" if name in renamed else name,
        "User Email": row["user_email"],
        "Join Time": when(row["join_time"]),
        "Leave Time": when(row["leave_time"]),
        "Duration (Minutes)": -(-int(row["duration"]) // 60),
        "Guest": "No" if row["id"] else "Yes",
        "Recording Consent": "" if waiting else "Y",
        "In Waiting Room": "Yes" if waiting else "No",
    }


def renames(instance: Instance) -> dict[str, str]:
    """Who renamed themself in this instance: ``{current name: original name}`` (one to three people).

    Drawn from the instance's own seed among its participants other than the host whose names do
    not already end in ")" (a name like "Ada Lovelace (guest)" would read as a rename itself).
    """
    rng = random.Random(f"portal-csv:{instance.seed}")
    host = instance.meeting.host.display_name
    names = sorted(
        {
            r["name"]
            for r in instance.rows()
            if r["name"] and r["name"] != host and not r["name"].endswith(")")
        }
    )
    chosen = rng.sample(names, min(len(names), rng.randint(1, 3)))
    renamed = {}
    for name in chosen:
        original = rng.choice(_ORIGINALS).format(first=name.split()[0])
        renamed[name] = original if original != name else "Zoom user"
    return renamed


def _wall_clock(value: dt.datetime | str, zone: dt.tzinfo, date_format: str) -> str:
    """A UTC time (a datetime or Zoom's ``2024-03-01T15:00:00Z``) as the export's wall clock in ``zone``."""
    if isinstance(value, str):
        if not _ISO.fullmatch(value):
            raise ValueError(f"not a Zoom UTC time: {value!r}")
        value = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(zone)
    if date_format == "day_first":
        return local.strftime("%d/%m/%Y %H:%M:%S")
    hour = local.hour % 12 or 12  # %I and %p depend on the locale; Zoom writes AM/PM
    return f"{local:%m/%d/%Y} {hour:02d}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'}"


def find_instance(data: SandboxData, ref: int | str) -> Instance:
    """A meeting number's latest instance, or the instance with this UUID.

    Raises
    ------
    ValueError
        When the sandbox has no such meeting or instance (webinars are not exported this way).
    """
    text = str(ref).strip()
    instance = (
        data.latest_instance(int(text)) if text.isascii() and text.isdigit() else data.instances.get(text)
    )
    if instance is None:
        raise ValueError(f"the sandbox has no meeting or meeting instance {ref!r}")
    return instance


def csv_name(instance: Instance) -> str:
    """``participants_<meeting id>_<start, UTC>.csv``: Zoom's name, plus the start to tell instances apart."""
    start = instance.start_time.astimezone(dt.timezone.utc)
    return f"participants_{instance.meeting.id}_{start:%Y-%m-%d_%H%M}Z.csv"


def export_csv(
    data: SandboxData, ref: int | str, folder: str | Path, *, tz: str | None = None, **options: Any
) -> Path:
    """Write the export of ``ref`` (number: latest instance; or a UUID) into ``folder``; return its path.

    ``tz`` defaults to the host's Zoom time zone; ``options`` go to :func:`write_portal_csv`.
    """
    instance = find_instance(data, ref)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    zone = tz or instance.meeting.host.timezone
    return write_portal_csv(instance, target / csv_name(instance), tz=zone, **options)
