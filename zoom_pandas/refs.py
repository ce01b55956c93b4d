"""What a reader was given: one ref, a list of refs, or a frame of instances, validated before any request."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from zoom_pandas.meeting_ids import MeetingRef, is_uuid, parse_meeting_id
from zoom_pandas.report import Instance

__all__ = ["WEBINAR_TYPES", "Wanted", "wanted_of"]

#: Zoom's meeting types that are webinars (5 webinar, 6 and 9 recurring webinars).
WEBINAR_TYPES = (5, 6, 9)

_LIST_LIKE = (list, tuple, range, pd.Series, pd.Index, np.ndarray, pd.api.extensions.ExtensionArray)


@dataclasses.dataclass(frozen=True)
class Wanted:
    """One thing to read: a number or UUID, or an instance a frame or listing described.

    Attributes
    ----------
    ref : int or str
        The meeting number or instance UUID.
    instance : Instance, optional
        What a frame's row (used as it is, no resolve call) or an instances listing said.
    listed : bool
        The instance came from an instances listing (UUID and start only): on a cache miss it is
        resolved for its topic and end time, where that call is not a Heavy one.
    problem : str, optional
        Why it cannot be read at all (listed without a UUID); reported as its failure.
    """

    ref: MeetingRef
    instance: Instance | None = None
    listed: bool = False
    problem: str | None = None


def wanted_of(meetings: object, *, webinar: bool) -> list[Wanted] | None:
    """The refs ``meetings`` names, in order; ``None`` when it is a single ref.

    Parameters
    ----------
    meetings : int, str, list-like or DataFrame
        What the user passed.
    webinar : bool
        The reader is the webinar one (a listing frame's meeting rows are refused, and vice versa).

    Raises
    ------
    ValueError
        For a malformed ref (naming its position), a frame without ``meeting_uuid`` or
        ``meeting_id``, a frame of the other kind (webinars given to the meeting reader), or an
        unordered collection (a set has no input order).
    """
    if isinstance(meetings, pd.DataFrame):
        return _from_frame(meetings, webinar)
    if isinstance(meetings, (set, frozenset, dict)):
        raise ValueError(
            f"give the meetings as a list, tuple or Series (a {type(meetings).__name__} has no order)"
        )
    if isinstance(meetings, (pa.Array, pa.ChunkedArray)):
        meetings = meetings.to_pylist()
    if not isinstance(meetings, _LIST_LIKE):
        return None
    wanted = []
    for position, value in enumerate(list(meetings)):
        try:
            wanted.append(Wanted(parse_meeting_id(_plain(value))))
        except ValueError as exc:
            raise ValueError(f"meetings[{position}]: {exc}") from None
    return wanted


def _plain(value: object) -> object:
    """numpy and pandas scalars as the Python values they hold (an int64 from a Series is a number)."""
    if isinstance(value, np.integer):
        return int(value)
    return value


def _from_frame(frame: pd.DataFrame, webinar: bool) -> list[Wanted]:
    """A frame from read_meetings or read_instances: its instances as they are (no resolve call)."""
    columns = set(frame.columns)
    if "meeting_id" not in columns:
        raise ValueError(
            "a frame of meetings needs a meeting_id column (and meeting_uuid for its instances), "
            f"as read_meetings and read_instances give; it has {sorted(map(str, columns))[:8]}"
        )
    if "type" in columns:
        _check_kind(frame["type"], webinar)
    records = frame.to_dict("records")
    wanted = []
    for position, row in enumerate(records):
        try:
            number = parse_meeting_id(_plain(row["meeting_id"]))
        except ValueError as exc:
            raise ValueError(f"row {position}: meeting_id: {exc}") from None
        if not isinstance(number, int):
            raise ValueError(
                f"row {position}: meeting_id must be a meeting number, got {row['meeting_id']!r}"
            )
        if "meeting_uuid" not in columns:
            wanted.append(Wanted(number))
            continue
        uuid = row["meeting_uuid"]
        if not isinstance(uuid, str) or not uuid:
            problem = f"meeting {number} (row {position}) was listed without an instance UUID: not read"
            wanted.append(Wanted(number, problem=problem))
            continue
        if not is_uuid(uuid):
            raise ValueError(f"row {position}: meeting_uuid {uuid!r} is not an instance UUID")
        instance = Instance(
            meeting_id=number,
            meeting_uuid=uuid,
            topic=_text(row.get("topic")),
            start_time=_time(row.get("start_time")),
            end_time=_time(row.get("end_time")),
        )
        wanted.append(Wanted(uuid, instance))
    return wanted


def _check_kind(types: pd.Series, webinar: bool) -> None:
    is_webinar = types.isin(list(WEBINAR_TYPES)).fillna(False).astype(bool)
    other = ~is_webinar if webinar else is_webinar
    count = int(other.sum())
    if count:
        if webinar:
            fix = 'read them with read_participants, or pass frame[frame["type"].isin([5, 6, 9])] here'
            what = "meetings"
        else:
            fix = (
                'read them with read_webinar_participants, or pass frame[~frame["type"].isin([5, 6, 9])] here'
            )
            what = "webinars (type 5, 6 or 9)"
        raise ValueError(f"the frame lists {count} {what}; {fix}")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: object) -> dt.datetime | None:
    """A frame's time cell as an aware UTC datetime (NA and naive-looking cells as they should be)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if stamp is pd.NaT:
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    result: dt.datetime = stamp.to_pydatetime()
    return result
