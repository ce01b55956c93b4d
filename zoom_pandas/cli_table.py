"""The participant table as the command line prints it: the columns read first, sized to the terminal.

Times in one named zone (``HH:MM:SS`` when every time shown falls on one day), durations as
``H:MM:SS``, empty columns hidden, long names cut with "…", and a footer saying what was left
out and how to see it (``--rows``, ``--columns``, ``--all-columns``, ``--out``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

__all__ = ["DEFAULT_COLUMNS", "check_columns", "render_table"]

#: What a person reads first; the first ones are kept longest on a narrow terminal.
DEFAULT_COLUMNS = ("name", "user_email", "join_time", "leave_time", "duration", "status")
#: A text column is never cut below this many characters (or its header's width).
_MIN_TEXT = 8
_GAP = "  "


def check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Check that the frame has every one of ``columns`` (``--columns``), before anything is printed.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : sequence of str

    Raises
    ------
    ValueError
        Naming the first missing column, a close match ("did you mean 'name'?") and the
        frame's columns.
    """
    have = [str(c) for c in frame.columns]
    for column in columns:
        if column not in have:
            close = difflib.get_close_matches(column, have, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"--columns: no column {column!r}{guess}; the columns are {', '.join(have)}")


def render_table(
    frame: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    all_columns: bool = False,
    rows: int | None = 40,
    width: int | None = None,
    tz: str = "UTC",
) -> str:
    """The frame as aligned text no wider than the terminal, with a footer.

    Parameters
    ----------
    frame : pandas.DataFrame
        A participant frame (any dtype backend).
    columns : sequence of str, optional
        These columns in this order (``ValueError`` for one the frame lacks); long text is cut
        to fit, no column is left out.
    all_columns : bool
        Every column, nothing cut (lines may be wider than the terminal).
    rows : int or None
        Show the first this many rows (None: all).
    width : int, optional
        Characters per line (default: the terminal's, ``shutil.get_terminal_size``).
    tz : str
        The IANA zone times are shown in (named in the footer).

    Returns
    -------
    str
        The table and its footer, lines joined by newlines, no trailing newline.
    """
    width = width or shutil.get_terminal_size().columns
    chosen = _chosen(frame, columns, all_columns)
    shown = frame.iloc[:rows] if rows is not None else frame
    day = _one_day(frame, chosen, tz)
    table = {name: _cells(shown[name], frame[name], tz, day) for name in chosen}
    widths = {name: max([_width(name), *map(_width, cells)]) for name, (cells, _) in table.items()}
    dropped: list[str] = []
    if not all_columns:
        _shrink(widths, [n for n in chosen if table[n][1] == "text"], width)
        while columns is None and len(widths) > 1 and _total(widths) > width:
            dropped.insert(0, chosen.pop())  # the least-read column goes first
            del widths[dropped[0]]
    lines = [_line([(n, widths[n], table[n][1]) for n in chosen])]
    for k in range(len(shown)):
        lines.append(_line([(table[n][0][k], widths[n], table[n][1]) for n in chosen]))
    times = any(table[n][1] == "time" for n in chosen)
    footer = _footer(frame, len(shown), chosen, dropped, width, all_columns, (tz, day) if times else None)
    return "\n".join([*lines, *textwrap.wrap(footer, width=max(width, 40), break_on_hyphens=False)])


def _chosen(frame: pd.DataFrame, columns: Sequence[str] | None, all_columns: bool) -> list[str]:
    if all_columns:
        return [str(c) for c in frame.columns]
    if columns is not None:
        check_columns(frame, columns)
        return list(columns)
    present = [c for c in DEFAULT_COLUMNS if c in frame.columns]
    if len(frame):  # hide a column no row fills; a frame of zero rows keeps its headers
        present = [c for c in present if frame[c].notna().any()]
    if "meeting_id" in frame.columns and frame["meeting_id"].nunique() > 1:
        present.insert(0, "meeting_id")  # several meetings' rows: say whose each one is
    return present or [str(c) for c in frame.columns]


def _kind(dtype: Any) -> str:
    """time, duration, number, bool or text: how a column is formatted and aligned."""
    if isinstance(dtype, pd.ArrowDtype):
        arrow = dtype.pyarrow_dtype
        if pa.types.is_timestamp(arrow):
            return "time"
        if pa.types.is_duration(arrow):
            return "duration"
        if pa.types.is_boolean(arrow):
            return "bool"
        return "number" if pa.types.is_integer(arrow) or pa.types.is_floating(arrow) else "text"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "time"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "duration"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    return "number" if pd.api.types.is_numeric_dtype(dtype) else "text"


def _one_day(frame: pd.DataFrame, chosen: list[str], tz: str) -> dt.date | None:
    """The day every time shown falls on in ``tz``, if there is one (then times show as HH:MM:SS)."""
    days = set()
    for name in chosen:
        if _kind(frame[name].dtype) == "time" and frame[name].notna().any():
            for edge in (frame[name].min(), frame[name].max()):
                days.add(pd.Timestamp(edge).tz_convert(tz).date())
    return days.pop() if len(days) == 1 else None


def _cells(shown: pd.Series, whole: pd.Series, tz: str, day: dt.date | None) -> tuple[list[str], str]:
    """A column's shown values as text, and its kind."""
    kind = _kind(whole.dtype)
    cells = []
    for value in shown.tolist():
        if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
            cells.append("")
        elif kind == "time":
            cells.append(f"{pd.Timestamp(value).tz_convert(tz):{'%H:%M:%S' if day else '%Y-%m-%d %H:%M:%S'}}")
        elif kind == "duration":
            cells.append(_clock(pd.Timedelta(value)))
        else:
            cells.append(_printable(str(value)))
    return cells, kind


def _clock(duration: pd.Timedelta) -> str:
    """A duration as H:MM:SS (hours may pass 24)."""
    seconds = round(duration.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}"


def _printable(text: str) -> str:
    """Text safe for a terminal: control and format characters (escape sequences) as "?"."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        " " if unicodedata.category(ch).startswith("Z") else "?" if unicodedata.category(ch)[0] == "C" else ch
        for ch in text
    )


def _width(text: str) -> int:
    """Columns a string takes on a terminal (wide East Asian characters take two, combining none)."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending in "…" when cut."""
    if _width(text) <= width:
        return text
    kept, used = [], 0
    for ch in text:
        size = _width(ch)
        if used + size > width - 1:
            break
        kept.append(ch)
        used += size
    return "".join(kept) + "…"


def _total(widths: dict[str, int]) -> int:
    return sum(widths.values()) + len(_GAP) * (len(widths) - 1)


def _shrink(widths: dict[str, int], text: list[str], limit: int) -> None:
    """Narrow the widest text columns, one character at a time, until the line fits or none can."""
    floor = {name: max(_MIN_TEXT, _width(name)) for name in text}
    excess = _total(widths) - limit
    while excess > 0:
        widest = max((n for n in text if widths[n] > floor[n]), key=lambda n: widths[n], default=None)
        if widest is None:
            return
        widths[widest] -= 1
        excess -= 1


def _line(cells: list[tuple[str, int, str]]) -> str:
    """One row: each cell cut to its width, numbers and durations right-aligned."""
    parts = []
    for text, width, kind in cells:
        cut = _cut(text, width)
        pad = " " * (width - _width(cut))
        parts.append(pad + cut if kind in ("number", "duration") else cut + pad)
    return _GAP.join(parts).rstrip()


def _footer(
    frame: pd.DataFrame,
    shown: int,
    chosen: list[str],
    dropped: list[str],
    width: int,
    all_columns: bool,
    times: tuple[str, dt.date | None] | None,
) -> str:
    """What the table shows of the frame, and how to see the rest."""
    rows = f"{len(frame):,} rows"
    parts = [f"{rows}, the first {shown} shown (--rows N|all)" if shown < len(frame) else rows]
    if dropped:
        parts.append(f"{', '.join(dropped)} left out to fit {width} characters")
    if not all_columns and len(chosen) < frame.shape[1]:
        parts.append(f"{len(chosen)} of {frame.shape[1]} columns (--columns a,b,c | --all-columns)")
    if times is not None:
        tz, day = times
        parts.append(f"times in {tz}" + (f" on {day:%Y-%m-%d}" if day else ""))
    return "[" + "; ".join(parts) + "]"
