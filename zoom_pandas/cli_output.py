"""Where a read goes: a summary line on stderr, then the table on stdout or a .parquet/.csv file.

CSV is for other tools: durations are written as whole seconds (integers, as Zoom's API sends
them) and times as ISO 8601 in UTC, so ``pd.read_csv`` reads numbers and parseable times back.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from zoom_pandas.cli_table import check_columns, render_table
from zoom_pandas.people import count_people

__all__ = ["check_out", "csv_ready", "write_result"]


def check_out(text: str | None) -> Path | None:
    """``--out``: a .parquet or .csv file in a folder that exists and can be written (before any request).

    Parameters
    ----------
    text : str or None
        The option's value (``~`` is expanded).

    Returns
    -------
    pathlib.Path or None

    Raises
    ------
    ValueError
        Another suffix, a folder given as the file, or a folder that does not exist or cannot be
        written.
    """
    if text is None:
        return None
    out = Path(text).expanduser()
    if out.is_dir():
        raise ValueError(f"--out {text} is a folder; give a file in it, such as {out / 'participants.csv'}")
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise ValueError(f"--out must end in .parquet or .csv, got {out.name!r}")
    folder = out.parent
    if not folder.exists():
        raise ValueError(f"--out {text}: the folder {folder} does not exist (create it first)")
    if not folder.is_dir():
        raise ValueError(f"--out {text}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"--out {text}: the folder {folder} is not writable")
    return out


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as CSV holds it: every duration column as whole seconds (nullable integers).

    Parameters
    ----------
    frame : pandas.DataFrame
        A participant frame, either dtype backend.

    Returns
    -------
    pandas.DataFrame
        A copy, durations as ``Int64`` seconds (NA stays NA). Times stay timestamps: ``to_csv``
        writes them as ISO 8601 with their UTC offset, which ``pd.read_csv(parse_dates=...)``
        reads back as UTC.
    """
    ready: pd.DataFrame = frame.copy()
    for name in ready.columns:
        column = ready[name]
        if _is_duration(column.dtype):
            ready[name] = column.dt.total_seconds().round().astype("Int64")
    return ready


def _is_duration(dtype: object) -> bool:
    if isinstance(dtype, pd.ArrowDtype):
        return str(dtype.pyarrow_dtype).startswith("duration")
    return pd.api.types.is_timedelta64_dtype(dtype)  # type: ignore[arg-type]


def write_result(
    frame: pd.DataFrame,
    out: Path | None,
    kind: str,
    *,
    columns: Sequence[str] | None = None,
    all_columns: bool = False,
    rows: int | None = 40,
    tz: str = "UTC",
) -> None:
    """A one-line summary on stderr; the table on stdout, or the frame in ``out``.

    Parameters
    ----------
    frame : pandas.DataFrame
        What a reader returned.
    out : pathlib.Path or None
        A file checked by :func:`check_out`, or None to print.
    kind : str
        "meeting" or "webinar", for the summary.
    columns : sequence of str, optional
        Only these columns, printed or written (``ValueError`` for one the frame lacks).
    all_columns, rows, tz
        How the table is printed (:func:`~zoom_pandas.cli_table.render_table`).
    """
    attrs = frame.attrs
    meetings = attrs.get("meetings") or []
    endpoints = ", ".join(sorted({str(m.get("endpoint")) for m in meetings})) or "none"
    if len(meetings) == 1:
        what = f"{kind} {attrs['meeting_id']} instance {attrs['meeting_uuid']}"
        where = f"source: {attrs['source']}, endpoint: {endpoints}"
    else:
        what, where = f"{len(meetings)} {kind} instances", f"endpoint: {endpoints}"
    if columns is not None:
        check_columns(frame, columns)
    print(f"{what}: {len(frame):,} rows, {count_people(frame):,} people ({where})", file=sys.stderr)
    if out is None:
        table = render_table(frame, columns=columns, all_columns=all_columns, rows=rows, tz=tz)
        print(table, flush=True)
        return
    chosen = frame[list(columns)] if columns is not None else frame
    if out.suffix.lower() == ".parquet":
        chosen.to_parquet(out, index=False)
    else:
        csv_ready(chosen).to_csv(out, index=False)
    print(f"wrote {out}", file=sys.stderr)
