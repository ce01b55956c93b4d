"""The Parquet cache: one file per meeting instance in a Hive-style dataset, written atomically.

Layout (readable as one table by pyarrow.dataset, DuckDB, Polars and Dask)::

    {cache_dir}/participants/meeting_id=85746065432/uRZjnL_J8qO8F7vpSKdYNA==.parquet

The file name is the instance UUID with "/" -> "_" and "+" -> "-" (reversible: Zoom UUIDs never
contain "_" or "-"). Each file's key-value metadata holds what the frame's ``attrs`` need.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock
import platformdirs
import pyarrow as pa
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from zoom_pandas import __version__
from zoom_pandas.schema import SCHEMA_VERSION

__all__ = ["CachedReport", "ParticipantCache", "cache_dir", "read_cache"]

METADATA_KEY = b"zoom_pandas"
#: A report fetched sooner than this after the meeting ended may still grow (Zoom: up to 30 min).
SETTLING_TIME = dt.timedelta(hours=1)
#: What reading a damaged or foreign cache file can raise.
CACHE_READ_ERRORS = (OSError, ValueError, KeyError, pa.ArrowException)
_DICTIONARY_COLUMNS = ["meeting_uuid", "customer_key", "failover", "status", "bo_mtg_id"]
_PARTITIONING = pa_ds.partitioning(pa.schema([("meeting_id", pa.int64())]), flavor="hive")


def cache_dir() -> Path:
    """The cache folder: ``ZOOM_PANDAS_CACHE_DIR``, else the platform's user cache dir.

    Returns
    -------
    pathlib.Path
    """
    configured = os.environ.get("ZOOM_PANDAS_CACHE_DIR")
    return (
        Path(configured) if configured else Path(platformdirs.user_cache_dir("zoom-pandas", appauthor=False))
    )


def uuid_to_filename(meeting_uuid: str) -> str:
    """A file name for an instance UUID ("/" never becomes a path separator)."""
    return meeting_uuid.replace("/", "_").replace("+", "-") + ".parquet"


def filename_to_uuid(name: str) -> str:
    """Inverse of :func:`uuid_to_filename`."""
    return name.removesuffix(".parquet").replace("_", "/").replace("-", "+")


@dataclasses.dataclass(frozen=True)
class CachedReport:
    """One cached instance: where it is and what its metadata says."""

    path: Path
    meeting_id: int
    meeting_uuid: str
    total_records: int | None
    fetched_at: dt.datetime
    end_time: dt.datetime | None
    include_registrant_id: bool
    rows: int
    _file: pq.ParquetFile | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def provisional(self) -> bool:
        """True when fetched less than an hour after the meeting ended (Zoom may still add rows)."""
        return self.end_time is None or self.fetched_at - self.end_time < SETTLING_TIME

    def read(self) -> pa.Table:
        """Read the cached rows (raises ``OSError``/``ArrowInvalid`` for a damaged file)."""
        if self._file is None:
            return pq.read_table(self.path)
        try:
            return self._file.read()
        finally:
            self._file.close()


def _metadata_of(path: Path, parquet_file: pq.ParquetFile | None = None) -> CachedReport:
    schema = parquet_file.schema_arrow if parquet_file is not None else pq.read_schema(path)
    raw = (schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise ValueError(f"{path.name} has no zoom_pandas metadata")
    meta = json.loads(raw)
    return CachedReport(
        path=path,
        meeting_id=int(meta["meeting_id"]),
        meeting_uuid=str(meta["meeting_uuid"]),
        total_records=meta.get("total_records"),
        fetched_at=dt.datetime.fromisoformat(meta["fetched_at"]),
        end_time=dt.datetime.fromisoformat(meta["end_time"]) if meta.get("end_time") else None,
        include_registrant_id=bool(meta.get("include_registrant_id")),
        rows=int(meta.get("rows", 0)),
        _file=parquet_file,
    )


class ParticipantCache:
    """Participant reports on disk.

    Parameters
    ----------
    root : path-like, optional
        The cache folder (default :func:`cache_dir`).
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else cache_dir()
        self.dataset_dir = self.root / "participants"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(root={str(self.root)!r})"

    def path_for(self, meeting_id: int, meeting_uuid: str) -> Path:
        """Where the report of one instance lives."""
        return self.dataset_dir / f"meeting_id={meeting_id}" / uuid_to_filename(meeting_uuid)

    def entries(self, meeting_id: int | None = None) -> Iterator[Path]:
        """Cached files, of one meeting or of all."""
        pattern = f"meeting_id={meeting_id}" if meeting_id is not None else "meeting_id=*"
        yield from sorted(self.dataset_dir.glob(f"{pattern}/*.parquet"))

    def find(self, meeting_uuid: str) -> Path | None:
        """The file of an instance UUID, whatever its meeting id."""
        name = uuid_to_filename(meeting_uuid)
        return next(iter(sorted(self.dataset_dir.glob(f"meeting_id=*/{name}"))), None)

    def describe(self, path: Path) -> CachedReport:
        """Open a file and read its metadata; ``.read()`` then reads the rows from the same handle.

        Raises ``OSError``, ``ValueError`` or ``pyarrow.ArrowException`` for a damaged file.
        """
        return _metadata_of(path, pq.ParquetFile(path, memory_map=True))

    def reports(self, meeting_id: int | None = None) -> list[CachedReport]:
        """Metadata of every readable cached instance (damaged files are skipped)."""
        found = []
        for path in self.entries(meeting_id):
            try:
                found.append(_metadata_of(path))
            except CACHE_READ_ERRORS:
                continue
        return found

    def newest(self, meeting_id: int) -> CachedReport | None:
        """The most recent cached instance of a meeting number (by end time)."""
        reports = self.reports(meeting_id)
        epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        return max(reports, key=lambda r: (r.end_time or epoch, r.fetched_at), default=None)

    def save(self, table: pa.Table, metadata: dict[str, Any]) -> Path:
        """Write one instance's complete table atomically (temp file, fsync, ``os.replace``).

        Parameters
        ----------
        table : pyarrow.Table
            The typed participants table.
        metadata : dict
            ``meeting_id``, ``meeting_uuid``, ``total_records``, ``fetched_at`` and ``end_time``
            (ISO strings), ``include_registrant_id``.

        Returns
        -------
        pathlib.Path
        """
        meta = {
            **metadata,
            "rows": table.num_rows,
            "schema_version": SCHEMA_VERSION,
            "package_version": __version__,
        }
        target = self.path_for(int(meta["meeting_id"]), str(meta["meeting_uuid"]))
        _make_private_dirs(target.parent, self.root)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(meta)}
        )
        lock = filelock.FileLock(str(target.parent / f".{target.stem}.lock"), mode=0o600)
        with lock:
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    # Dictionaries only where values repeat: decoding them for unique ids and
                    # names made cached reads about a third slower.
                    pq.write_table(table, handle, compression="zstd", use_dictionary=_DICTIONARY_COLUMNS)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temp, 0o600)
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
            _fsync_dir(target.parent)
        return target

    def clear(self, meeting_id: int | None = None, meeting_uuid: str | None = None) -> int:
        """Delete cached files; return how many were removed."""
        if meeting_uuid is not None:
            paths = [p for p in [self.find(meeting_uuid)] if p is not None]
        else:
            paths = list(self.entries(meeting_id))
        for path in paths:
            path.unlink(missing_ok=True)
            (path.parent / f".{path.stem}.lock").unlink(missing_ok=True)
        return len(paths)

    def dataset(self) -> pa_ds.Dataset:
        """The whole cache as one ``pyarrow.dataset`` (``meeting_id`` from the folder names)."""
        files = [str(p) for p in self.entries()]
        if not files:
            raise FileNotFoundError(f"no cached reports under {self.dataset_dir}")
        schemas = [pq.read_schema(f) for f in files]
        unified = pa.unify_schemas([s.remove_metadata() for s in schemas], promote_options="permissive")
        unified = unified.append(pa.field("meeting_id", pa.int64()))
        return pa_ds.dataset(
            files,
            schema=unified,
            format="parquet",
            partitioning=_PARTITIONING,
            partition_base_dir=str(self.dataset_dir),
        )


def _make_private_dirs(folder: Path, root: Path) -> None:
    """Create folders with mode 0700 (participant names and emails are personal data)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    current = folder
    while True:
        os.chmod(current, 0o700)
        if current == root or root not in current.parents:
            break
        current = current.parent


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_cache(*, cache_dir: str | os.PathLike[str] | None = None) -> Any:
    """Every cached participant record as one typed DataFrame.

    Parameters
    ----------
    cache_dir : path-like, optional
        The cache folder (default: ``ZOOM_PANDAS_CACHE_DIR`` or the user cache dir).

    Returns
    -------
    pandas.DataFrame
        The participants columns with ``meeting_uuid`` and ``meeting_id`` first; Arrow dtypes.

    Raises
    ------
    CacheMiss
        When nothing is cached.

    Examples
    --------
    >>> everyone = zp.read_cache()                                 # doctest: +SKIP
    >>> everyone.groupby("meeting_id")["name"].nunique()            # doctest: +SKIP
    """
    from zoom_pandas.errors import CacheMiss
    from zoom_pandas.schema import PARTICIPANT_FIELDS, to_frame

    store = ParticipantCache(cache_dir)
    try:
        dataset = store.dataset()
    except FileNotFoundError as exc:
        raise CacheMiss(str(exc)) from exc
    names = dataset.schema.names
    order = ["meeting_uuid", "meeting_id"] + [n for n in PARTICIPANT_FIELDS if n != "meeting_uuid"]
    columns = [n for n in order if n in names] + [n for n in names if n not in order]
    table = dataset.to_table(columns=columns)
    return to_frame(table.replace_schema_metadata(None))
