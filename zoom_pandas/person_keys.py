"""Who each row's person is: the first of the key columns a row has, computed on distinct values.

The default key columns are ``participant_user_id``, ``user_email``, ``registrant_id`` and ``name``
(:data:`PERSON_KEYS`); ``by=`` names others, in order of preference. Values are trimmed, e-mail
addresses lower-cased, and "" is no value. Each column is dictionary-encoded first, so trimming and
lower-casing run over its distinct values (a few hundred thousand at most), not over every row;
the rest is integer arithmetic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PERSON_KEYS", "Keys", "clean_column", "clean_text", "key_columns", "person_keys", "source_names"]

#: The first of these a row has names the person.
PERSON_KEYS = ("participant_user_id", "user_email", "registrant_id", "name")


def key_columns(by: str | Sequence[str] | None) -> list[str]:
    """The columns a person key is taken from, in order of preference."""
    return list(PERSON_KEYS) if by is None else [by] if isinstance(by, str) else list(by)


def source_names(codes: np.ndarray, by: str | Sequence[str] | None) -> list[str | None]:
    """Source codes (indexes into :func:`key_columns`) as the column names users read."""
    names = key_columns(by)
    return [names[code] if code >= 0 else None for code in codes.tolist()]


def clean_text(values: pa.Array, lower: bool = False) -> pa.Array:
    """Trimmed (and lower-cased) text, "" as null."""
    text = pc.utf8_trim_whitespace(values.cast(pa.string()))
    if lower:
        text = pc.utf8_lower(text)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _arrow_of(series: pd.Series) -> pa.ChunkedArray:
    """A column as Arrow values; numpy and object columns (ids as numbers, mixed types) as text."""
    if not isinstance(series.dtype, (pd.ArrowDtype, pd.StringDtype)):
        series = series.astype("string[pyarrow]")
    return pa.chunked_array(series.array.__arrow_array__())


def _encoded(series: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """A column as codes into its distinct values (-1 for missing), without Python objects."""
    values = _arrow_of(series)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    encoded = (
        values.combine_chunks().dictionary_encode()
        if len(values)
        else pa.array([], pa.string()).dictionary_encode()
    )
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def flags(frame: pd.DataFrame, column: str, equal_to: str | None = None) -> np.ndarray:
    """Per row: the column holds text (not null, not ""), or exactly ``equal_to``; no encoding."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    values = _arrow_of(frame[column]).cast(pa.string())
    test = (
        pc.equal(values, equal_to)
        if equal_to is not None
        else pc.not_equal(pc.utf8_trim_whitespace(values), "")
    )
    return np.asarray(pc.fill_null(test, False).to_numpy(), dtype=bool)


def clean_column(frame: pd.DataFrame, column: str, lower: bool = False, *, clean: bool = True) -> pa.Array:
    """A text column as an Arrow string array, cleaned as person keys are unless ``clean=False``
    (per row; all null when the frame lacks it)."""
    if column not in frame.columns:
        return pa.nulls(len(frame), pa.string())
    raw, distinct = _encoded(frame[column])
    values = clean_text(distinct, lower) if clean else distinct.cast(pa.string())
    return values.take(pa.array(raw, pa.int64(), mask=raw < 0))


@dataclasses.dataclass(frozen=True)
class Keys:
    """Each row's person (a code into ``persons``, -1 for none) and the key column it came from."""

    code: np.ndarray  # int64 per row
    persons: pa.Array  # string: the distinct person keys
    source: np.ndarray  # int8 per row: index into key_columns(by), -1 for none
    emails: pa.Array | None  # string per row: the cleaned user_email (when it is a key column)
    names: pa.Array | None  # string per row: the name as given (when it is a key column)

    def series(self, index: pd.Index) -> pd.Series:
        """The person key of each row as an Arrow string Series."""
        picks = pa.array(self.code, pa.int64(), mask=self.code < 0)
        result: pd.Series = pd.Series(pd.arrays.ArrowExtensionArray(self.persons.take(picks)), index=index)
        return result


def person_keys(frame: pd.DataFrame, by: str | Sequence[str] | None = None) -> Keys:
    """Each row's person: the first of the key columns a row has (see the module docstring).

    Raises
    ------
    KeyError
        When ``by`` names a column the frame does not have.
    """
    columns = key_columns(by)
    missing = [c for c in columns if c not in frame.columns] if by is not None else []
    if missing or not columns:
        raise KeyError(f"by= must name columns of the frame; it does not have {missing or columns}")
    rows = len(frame)
    code = np.full(rows, -1, dtype=np.int64)
    source = np.full(rows, -1, dtype=np.int8)
    pieces: list[pa.Array] = []
    emails = names = None
    offset = 0
    for index, column in enumerate(columns):
        if column not in frame.columns:
            continue
        raw, distinct = _encoded(frame[column])
        cleaned = clean_text(distinct, lower=column == "user_email")
        valid = np.asarray(cleaned.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        has = raw >= 0
        has[has] = valid[raw[has]]
        if column == "user_email":
            emails = cleaned.take(pa.array(raw, pa.int64(), mask=~has))
        if column == "name":  # the name as given, for the answers (one encoding serves both)
            names = distinct.cast(pa.string()).take(pa.array(raw, pa.int64(), mask=raw < 0))
        take = has & (code < 0)
        code[take] = offset + raw[take]
        source[take] = index
        pieces.append(cleaned)
        offset += len(cleaned)
    every = pa.concat_arrays(pieces) if pieces else pa.array([], pa.string())
    # The same text in two columns (a name that is also someone's email) is one person, as before.
    unique_codes, persons = pd.factorize(pd.Series(pd.arrays.ArrowExtensionArray(every)), sort=False)
    unique_codes = np.asarray(unique_codes, dtype=np.int64)
    if len(unique_codes):
        code = np.where(code >= 0, unique_codes[np.maximum(code, 0)], -1)
    return Keys(
        code=code,
        persons=pa.array(persons.array, pa.string()) if len(persons) else pa.array([], pa.string()),
        source=source,
        emails=emails,
        names=names,
    )
