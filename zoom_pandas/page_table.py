"""Raw JSON pages -> one typed Arrow table, for any :class:`~zoom_pandas.schema.FieldMap`.

Arrow's JSON reader parses every page in one multithreaded read (no per-row Python); the typed
columns are derived with Arrow compute kernels. The bodies were checked before they got here
(:mod:`zoom_pandas.answers`); what is checked here is what only a parse can tell: the list is
there, every value takes its type, durations fit pandas, times fall in years 1 to 9999, and an
added field keeps a type Parquet gives back unchanged.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from zoom_pandas.schema import FieldMap

__all__ = ["grouped_pages_tables", "pages_table"]

_MIN_BLOCK = 1 << 20


def _one_line(body: bytes) -> bytes:
    """A page as one line of JSON (Arrow reads one object per line)."""
    body = body.strip()
    if b"\n" in body or b"\r" in body:  # pretty-printed
        value = json.loads(body, object_pairs_hook=_unique_keys)
        body = json.dumps(value, separators=(",", ":")).encode()
    return body


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse duplicate keys, as Arrow's reader does for one-line pages (so both paths agree)."""
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return value


def _parse(bodies: Sequence[bytes], field_map: FieldMap) -> pa.Table:
    """Parse page bodies in one multithreaded Arrow read: one row per page."""
    try:
        lines = [_one_line(body) for body in bodies]
        largest = max((len(line) for line in lines), default=0)
        read_options = pa_json.ReadOptions(block_size=max(_MIN_BLOCK, 2 * largest + 2), use_threads=True)
        table = pa_json.read_json(
            io.BytesIO(b"\n".join(lines)), read_options=read_options, parse_options=field_map.parse_options
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"not a page of {field_map.items}: {exc}") from exc
    if table.num_rows != len(bodies):
        raise ValueError(f"expected one JSON object per page, got {table.num_rows} for {len(bodies)} pages")
    return table


def _typed(name: str, column: pa.ChunkedArray, field_map: FieldMap) -> pa.ChunkedArray:
    """Convert one wire column to its frame type ("" -> null; minutes -> seconds)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
    target = field_map.fields.get(name) or _stored_alike(column.type)
    if name in field_map.minutes:
        column = pc.multiply_checked(column, 60)
    if column.type != target:
        try:
            column = pc.cast(column, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ValueError(f"column {name!r}: cannot convert {column.type} to {target}: {exc}") from exc
    _check_range(name, column)
    return column


#: The longest duration accepted (about 31 years): every cell then converts to a Python timedelta
#: and a pandas Timedelta (2**63 - 1 seconds does not).
_LIMIT_SECONDS = 10**9
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
#: 0001-01-01T00:00:00 and 9999-12-31T23:59:59 in seconds since 1970.
_FIRST_SECOND, _LAST_SECOND = -62_135_596_800, 253_402_300_799


def _check_range(name: str, column: pa.ChunkedArray) -> None:
    """Refuse times and durations that Python and pandas could not hold in a cell.

    Times must fall in years 1 to 9999 (Python's datetime; "0000-01-01" parses in Arrow but no
    cell could show it); durations within about 31 years (2**63 - 1 seconds overflows).
    """
    if pa.types.is_timestamp(column.type):
        per_second = _PER_SECOND[column.type.unit]
        lowest, highest = _FIRST_SECOND * per_second, (_LAST_SECOND + 1) * per_second - 1
    elif pa.types.is_duration(column.type):
        limit = _LIMIT_SECONDS * _PER_SECOND[column.type.unit]
        lowest, highest = -limit, limit
    else:
        return
    if not len(column):
        return
    extremes = pc.min_max(pc.cast(column, pa.int64()))
    low, high = extremes["min"].as_py(), extremes["max"].as_py()
    if low is not None and (low < lowest or high > highest):
        raise ValueError(f"column {name!r} holds a value out of range ({low} .. {high} {column.type.unit})")


def _stored_alike(kind: pa.DataType) -> pa.DataType:
    """The type of an added field that Parquet gives back unchanged (it has no second timestamps)."""
    if pa.types.is_timestamp(kind) and kind.unit == "s":
        return pa.timestamp("ms", tz=kind.tz)
    if pa.types.is_struct(kind):
        return pa.struct([field.with_type(_stored_alike(field.type)) for field in kind])
    if pa.types.is_list(kind):
        return pa.list_(kind.value_field.with_type(_stored_alike(kind.value_type)))
    if pa.types.is_large_list(kind):
        return pa.large_list(kind.value_field.with_type(_stored_alike(kind.value_type)))
    return kind


def pages_table(
    bodies: Sequence[bytes], field_map: FieldMap, stamp: Mapping[str, Any] | None = None
) -> tuple[pa.Table, list[str]]:
    """Parse raw pages into one typed table in API row order.

    Parameters
    ----------
    bodies : sequence of bytes
        Every page's response body, in order.
    field_map : FieldMap
        What the pages hold.
    stamp : mapping, optional
        A value for each of ``field_map.stamped`` (e.g. the instance's meeting id and uuid).

    Returns
    -------
    table : pyarrow.Table
        The known columns in order, then (``keep_unknown``) any field Zoom added.
    next_page_tokens : list of str
        Each page's ``next_page_token`` from the full parse ("" when absent).

    Raises
    ------
    ValueError
        If a page is not a JSON object holding the list, or a value cannot take its type.
    """
    if not bodies:
        return field_map.empty_table(), []
    table, tokens, _ = _build(bodies, field_map, [stamp or {}] * len(bodies))
    return table, tokens


def grouped_pages_tables(
    groups: Sequence[Sequence[bytes]], field_map: FieldMap, stamps: Sequence[Mapping[str, Any]]
) -> tuple[list[pa.Table], list[list[str]]]:
    """Parse the pages of several listings (one per instance) in one Arrow read, one table each.

    The same as :func:`pages_table` on each group, with the per-call costs paid once: reading many
    small reports this way costs a fraction of reading them one by one. The tables are zero-copy
    slices of one table; an added field that holds nothing in a group is left out of its table.

    Raises
    ------
    ValueError
        As :func:`pages_table`, for any page of any group (parse the groups one by one to find it).
    """
    bodies = [body for group in groups for body in group]
    page_stamps = [stamp for group, stamp in zip(groups, stamps, strict=True) for _ in group]
    if not bodies:
        return [field_map.empty_table() for _ in groups], [[] for _ in groups]
    table, tokens, rows = _build(bodies, field_map, page_stamps)
    tables, token_lists, row, page = [], [], 0, 0
    for group in groups:
        count = sum(rows[page : page + len(group)])
        tables.append(_own_fields(table.slice(row, count), field_map))
        token_lists.append(tokens[page : page + len(group)])
        row, page = row + count, page + len(group)
    return tables, token_lists


def _own_fields(table: pa.Table, field_map: FieldMap) -> pa.Table:
    """Leave out added fields that are all null in this group: another group's, as one parse gives."""
    added = [name for name in table.column_names if name not in field_map.fields]
    empty = [name for name in added if table.column(name).null_count == table.num_rows]
    return table.drop_columns(empty) if empty else table


def _build(
    bodies: Sequence[bytes], field_map: FieldMap, page_stamps: Sequence[Mapping[str, Any]]
) -> tuple[pa.Table, list[str], list[int]]:
    """Parse and type pages; stamped columns take each page's stamp. Also the rows of each page."""
    parsed = _parse(bodies, field_map)
    lists = parsed.column(field_map.items)
    if lists.null_count:
        missing = lists.is_null().to_pylist().index(True) + 1
        raise ValueError(f"page {missing} has no {field_map.items!r} list")
    tokens = [token or "" for token in parsed.column("next_page_token").to_pylist()]
    rows = pc.list_value_length(lists).to_pylist()
    chunks = [chunk.flatten() for chunk in lists.chunks]
    raw = pa.Table.from_struct_array(pa.concat_arrays(chunks))
    constant = all(stamp is page_stamps[0] or stamp == page_stamps[0] for stamp in page_stamps)
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name, kind in field_map.fields.items():
        wire = field_map.wire_name(name)
        if name in field_map.stamped:
            if constant:
                columns[name] = pa.repeat(pa.scalar(page_stamps[0].get(name), kind), raw.num_rows)
            else:
                values = pa.array([stamp.get(name) for stamp in page_stamps], kind)
                columns[name] = pc.take(values, pa.array(np.repeat(np.arange(len(rows)), rows)))
        elif wire in raw.column_names:
            columns[name] = _typed(name, raw.column(wire), field_map)
        else:
            columns[name] = pa.nulls(raw.num_rows, kind)
    wire_names = {field_map.wire_name(name) for name in field_map.fields}
    for name in raw.column_names:
        # A stamped name on the wire never wins; a field of only "{}" holds nothing Parquet can store.
        if name not in wire_names and name not in columns and _storable(raw.schema.field(name).type):
            columns[name] = _typed(name, raw.column(name), field_map)
    return pa.table(columns), tokens, rows


def _storable(kind: pa.DataType) -> bool:
    """False for types holding an empty struct (only ever ``{}`` on the wire), which Parquet refuses."""
    if pa.types.is_struct(kind):
        return kind.num_fields > 0 and all(_storable(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _storable(kind.value_type)
    return True
