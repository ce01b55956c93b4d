"""Attendance against a class list, and a person x instance matrix (from ``df.zoom.attendance()``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from zoom_pandas.attendance import NAT, when

__all__ = ["against", "matrix"]


def _key(values: pd.Series) -> pd.Series:
    """What a roster entry and an attendee are compared by: trimmed and lower-cased text."""
    text: pd.Series = values.astype("string[pyarrow]").str.strip().str.lower()
    return text.mask(text == "")


def _meetings(frame: pd.DataFrame) -> pd.DataFrame:
    """The meetings of a participants frame, in frame order (also those nobody attended), Arrow-typed."""
    meetings = frame[["meeting_id", "meeting_uuid"]].drop_duplicates(subset="meeting_uuid")
    result: pd.DataFrame = meetings.reset_index(drop=True).astype(
        {"meeting_id": pd.ArrowDtype(pa.int64()), "meeting_uuid": pd.ArrowDtype(pa.string())}
    )
    return result


def against(attendance: pd.DataFrame, frame: pd.DataFrame, roster: Any, on: str) -> pd.DataFrame:
    """One row per meeting x roster entry, and per attendee not on it (``on_roster`` False).

    Raises
    ------
    KeyError
        When the roster frame or the attendance lacks ``on``.
    """
    if isinstance(roster, pd.DataFrame):
        listed = roster.reset_index(drop=True)
    else:
        listed = pd.DataFrame({on: list(roster)})
    if on not in listed.columns or on not in attendance.columns:
        raise KeyError(f"on={on!r} must be a column of the roster and of the attendance")
    listed = listed.assign(_key=_key(listed[on]))
    if listed["_key"].dropna().duplicated().any():  # blank entries never match anyone: not duplicates
        raise ValueError(
            f"the roster lists someone twice in {on!r}: {list(listed.loc[listed['_key'].duplicated(), on])}"
        )
    # The roster's own columns keep their names; one the attendance has too gets "_roster".
    renamed = {c: f"{c}_roster" for c in listed.columns if c in attendance.columns and c != on}
    listed = listed.rename(columns={on: "_listed", **renamed})
    expected = _meetings(frame).merge(listed, how="cross")
    seen = attendance.assign(_key=_key(attendance[on]))
    joined = expected.merge(seen, on=["meeting_id", "meeting_uuid", "_key"], how="left")
    joined[on] = joined[on].astype(object).where(joined[on].notna(), joined["_listed"])  # absentees too
    joined["on_roster"] = True
    keys = set(listed["_key"].dropna())
    extra = seen[~seen["_key"].isin(keys) | seen["_key"].isna()].assign(on_roster=False)
    out = pd.concat([joined, extra], ignore_index=True).drop(columns=["_key", "_listed"])
    out[on] = out[on].astype(pd.ArrowDtype(pa.string()))
    first = ["meeting_id", "meeting_uuid", on, "on_roster"]
    out = out[first + [c for c in out.columns if c not in first]]
    for column, empty in (
        ("time_present", pd.Timedelta(0)),
        ("time_waiting", pd.Timedelta(0)),
        ("time_in_breakout", pd.Timedelta(0)),
        ("sessions", 0),
        ("rejoins", 0),
        ("rows", 0),
        ("overlap", pd.Timedelta(0)),
        ("share_of_meeting", 0.0),
        ("attended", False),
    ):
        if column in out.columns:
            out[column] = out[column].fillna(empty)
    out["on_roster"] = out["on_roster"].astype("bool[pyarrow]")
    result: pd.DataFrame = out
    return result


def matrix(attendance: pd.DataFrame, frame: pd.DataFrame, values: str) -> pd.DataFrame:
    """A person x instance table of one attendance column; instances by start time.

    Raises
    ------
    KeyError
        When ``values`` is not an attendance column.
    """
    if values not in attendance.columns:
        raise KeyError(f"values={values!r} is not an attendance column; one of {list(attendance.columns)}")
    starts = _starts(frame)
    names = _most_common_names(attendance)
    table = attendance.pivot_table(
        index="person", columns="meeting_uuid", values=values, aggfunc="first", sort=False
    )
    order = sorted(
        table.columns,
        key=lambda uuid: (starts.get(uuid) is None, starts.get(uuid) or pd.Timestamp(0, tz="UTC")),
    )
    for uuid in _meetings(frame)["meeting_uuid"]:
        if uuid not in table.columns:
            table[uuid] = pd.NA
            order.append(uuid)
    table = table[order]
    kind = attendance[values].dtype
    fill: Any = (
        pd.Timedelta(0)
        if "duration" in str(kind)
        else (False if "bool" in str(kind) else (0 if values in ("sessions", "rejoins", "rows") else None))
    )
    if fill is not None:
        table = table.fillna(fill)
    table = table.astype(kind)
    table.columns = pd.Index([starts.get(u, pd.NaT) for u in table.columns], name="start_time")
    table.index = pd.MultiIndex.from_arrays(
        [names.reindex(table.index).to_numpy(), table.index], names=["name", "person"]
    )
    result: pd.DataFrame = table.sort_index(level="name", sort_remaining=True, na_position="last")
    return result


def _most_common_names(attendance: pd.DataFrame) -> pd.Series:
    """Each person's most used name (of equals, the first seen), vectorised; NA for none."""
    pairs = attendance[["person", "name"]].dropna()
    counted = pairs.groupby(["person", "name"], sort=False).size().reset_index(name="times")
    counted["seen"] = np.arange(len(counted))
    best = counted.sort_values(["times", "seen"], ascending=[False, True]).drop_duplicates("person")
    names: pd.Series = best.set_index("person")["name"]
    return names


def _starts(frame: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each instance's start: from ``attrs["meetings"]``, else its first join."""
    starts: dict[str, pd.Timestamp] = {}
    for entry in frame.attrs.get("meetings", []) or []:
        if isinstance(entry, dict) and isinstance(entry.get("meeting_uuid"), str):
            moment = when(entry.get("start_time"))  # the attendance answers' own reading of attrs
            if moment != NAT:
                starts[entry["meeting_uuid"]] = pd.Timestamp(moment, unit="us", tz="UTC")
    first = frame.groupby("meeting_uuid", sort=False)["join_time"].min()
    for uuid, joined in first.items():
        if str(uuid) not in starts and pd.notna(joined):
            starts[str(uuid)] = pd.Timestamp(joined).tz_convert("UTC")
    return starts
