"""The Parquet cache on disk: one file per instance in a Hive-style dataset per report, written atomically.

Layout (each dataset folder reads as one table in pyarrow.dataset, DuckDB, Polars and Dask)::

    {cache_dir}/participants/meeting_id=85746065432/uRZjnL_J8qO8F7vpSKdYNA==.parquet
    {cache_dir}/webinar_participants/meeting_id=94455667788/....parquet
    {cache_dir}/sandbox/participants/...          the built-in sandbox (any loopback API URL)
    {cache_dir}/<host>/participants/...           any other API host than api.zoom.us

``meeting_id`` lives in the folder name, not in the file (readers take it from the partition).
The file name is the instance UUID with "/" -> "_" and "+" -> "-", and a leading "/" -> "~"
(reversible: Zoom UUIDs never contain "_", "-" or "~"; and no name starts with "_", which
pyarrow.dataset, pandas and Dask would skip). Each file's key-value metadata holds the report's
metadata.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path

import filelock
import platformdirs
import pyarrow as pa
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from zoom_pandas._version import __version__
from zoom_pandas.cached_report import METADATA_KEY, PARTITION, READ_ERRORS, CachedReport
from zoom_pandas.config import DEFAULT_API_URL, is_loopback_url
from zoom_pandas.errors import CacheCorruptWarning
from zoom_pandas.errors import warn as warn_user
from zoom_pandas.files import (
    make_private_dirs,
    remove_stale_temp_files,
    unlink_unless_locked,
    write_atomically,
)
from zoom_pandas.report import Report
from zoom_pandas.schema import SCHEMA_VERSION

__all__ = ["METADATA_KEY", "PARTITION", "READ_ERRORS", "CachedReport", "ReportCache", "cache_dir"]

_DICTIONARY_COLUMNS = ["meeting_uuid", "customer_key", "failover", "status", "bo_mtg_id"]
_PARTITIONING = pa_ds.partitioning(pa.schema([(PARTITION, pa.int64())]), flavor="hive")


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


def namespace_of(api_url: str) -> str | None:
    """The cache sub-folder for data from ``api_url``: None for Zoom itself, "sandbox" for loopback."""
    if is_loopback_url(api_url):
        return "sandbox"
    host = urllib.parse.urlsplit(api_url).hostname or "unknown"
    return None if host == urllib.parse.urlsplit(DEFAULT_API_URL).hostname else host


def uuid_to_filename(meeting_uuid: str) -> str:
    """A file name for an instance UUID ("/" never becomes a path separator, no leading "_")."""
    name = meeting_uuid.replace("/", "_").replace("+", "-")
    return ("~" + name[1:] if name.startswith("_") else name) + ".parquet"


def filename_to_uuid(name: str) -> str:
    """Inverse of :func:`uuid_to_filename`."""
    stem = name.removesuffix(".parquet")
    stem = "_" + stem[1:] if stem.startswith("~") else stem
    return stem.replace("_", "/").replace("-", "+")


class ReportCache:
    """One report's cached instances on disk.

    Parameters
    ----------
    dataset : str
        The report's dataset folder (``ReportSpec.dataset``), e.g. ``"participants"``.
    api_url : str, optional
        Where the data comes from: Zoom's own API (the default) or another host, which gets a
        folder of its own (the sandbox: ``sandbox/``), so synthetic rows never pass for real ones.
    root : path-like, optional
        The cache folder (default :func:`cache_dir`).
    """

    def __init__(
        self,
        dataset: str = "participants",
        *,
        api_url: str = DEFAULT_API_URL,
        root: str | os.PathLike[str] | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else cache_dir()
        self.namespace = namespace_of(api_url)
        self.dataset_dir = (self.root / self.namespace if self.namespace else self.root) / dataset

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dataset_dir={str(self.dataset_dir)!r})"

    def elsewhere(self) -> str:
        """A hint when this cache is Zoom's own and the sandbox's holds this report's rows."""
        sandbox = self.root / "sandbox" / self.dataset_dir.name
        if self.namespace is None and next(sandbox.glob(f"{PARTITION}=*/*.parquet"), None) is not None:
            return " (the sandbox's reads are cached apart: pass client= a sandbox client)"
        return ""

    def path_for(self, meeting_id: int, meeting_uuid: str) -> Path:
        """Where the report of one instance lives."""
        return self.dataset_dir / f"{PARTITION}={meeting_id}" / uuid_to_filename(meeting_uuid)

    def entries(self, meeting_id: int | None = None) -> Iterator[Path]:
        """Cached files, of one meeting or of all."""
        self._rename_legacy_files()
        pattern = f"{PARTITION}={meeting_id}" if meeting_id is not None else f"{PARTITION}=*"
        yield from sorted(self.dataset_dir.glob(f"{pattern}/[!_.]*.parquet"))

    def _rename_legacy_files(self) -> None:
        """0.1 named a "/"-first UUID's file "_…", which dataset readers skip: give it its "~" name."""
        for legacy in self.dataset_dir.glob(f"{PARTITION}=*/_*.parquet"):
            target = legacy.with_name("~" + legacy.name[1:])
            with filelock.FileLock(str(legacy.parent / f".{target.stem}.lock"), mode=0o600):
                if target.exists():
                    legacy.unlink(missing_ok=True)
                elif legacy.exists():
                    os.replace(legacy, target)

    def find(self, meeting_uuid: str) -> Path | None:
        """The file of an instance UUID, whatever its meeting id."""
        name = uuid_to_filename(meeting_uuid)
        found = next(iter(sorted(self.dataset_dir.glob(f"{PARTITION}=*/{name}"))), None)
        if found is None and name.startswith("~"):  # perhaps still under 0.1's "_" name
            self._rename_legacy_files()
            found = next(iter(sorted(self.dataset_dir.glob(f"{PARTITION}=*/{name}"))), None)
        return found

    def reports(self, meeting_id: int | None = None, *, warn: bool = False) -> list[CachedReport]:
        """Metadata of every readable cached instance; damaged files are skipped (``warn``: noisily)."""
        found = []
        for path in self.entries(meeting_id):
            try:
                found.append(CachedReport.from_file(path))
            except READ_ERRORS as exc:
                if warn:
                    warn_user(
                        f"skipping the damaged cache file {path} ({type(exc).__name__})", CacheCorruptWarning
                    )
        return found

    def newest(self, meeting_id: int) -> CachedReport | None:
        """The most recent cached instance of a meeting number (by end time); damaged files warn."""
        epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        readable = self.reports(meeting_id, warn=True)
        return max(readable, key=lambda r: (r.instance.end_time or epoch, r.fetched_at), default=None)

    def save(self, report: Report) -> Path:
        """Write one instance's report atomically (temp file, fsync, ``os.replace``), mode 0600.

        Returns
        -------
        pathlib.Path
        """
        instance = report.instance
        meta = {
            **report.attrs(),
            "include_registrant_id": report.include_registrant_id,
            "fallback": report.fallback,
            "rows": report.table.num_rows,
            "schema_version": SCHEMA_VERSION,
            "package_version": __version__,
        }
        meta.pop("source")
        table = report.table
        if PARTITION in table.column_names:
            table = table.drop_columns([PARTITION])
        table = table.replace_schema_metadata({METADATA_KEY: json.dumps(meta)})
        target = self.path_for(instance.meeting_id, instance.meeting_uuid)
        make_private_dirs(target.parent, self.root)
        remove_stale_temp_files(target.parent)
        # Dictionaries only where values repeat: decoding them for unique ids and names made
        # cached reads about a third slower.
        columns = [c for c in _DICTIONARY_COLUMNS if c in table.column_names]
        with filelock.FileLock(str(target.parent / f".{target.stem}.lock"), mode=0o600):
            write_atomically(
                target,
                lambda handle: pq.write_table(table, handle, compression="zstd", use_dictionary=columns),
            )
            if target.name.startswith("~"):  # 0.1 named it "_...", invisible to dataset readers
                (target.parent / ("_" + target.name[1:])).unlink(missing_ok=True)
        return target

    def clear(self, meeting_id: int | None = None, meeting_uuid: str | None = None) -> int:
        """Delete cached files, temp files killed writers left, and folders left empty.

        Returns
        -------
        int
            How many cached reports were removed.
        """
        if meeting_uuid is not None:
            paths = [p for p in [self.find(meeting_uuid)] if p is not None]
            folders = {p.parent for p in paths}
        else:
            paths = list(self.entries(meeting_id))
            pattern = f"{PARTITION}={meeting_id}" if meeting_id is not None else f"{PARTITION}=*"
            folders = {p for p in self.dataset_dir.glob(pattern) if p.is_dir()}
        for path in paths:
            path.unlink(missing_ok=True)
        for folder in folders:
            remove_stale_temp_files(folder)
            for lock in folder.glob(".*.lock"):
                _remove_idle_lock(lock)
            with contextlib.suppress(OSError):  # not empty: a writer is at work there
                folder.rmdir()
        return len(paths)

    def dataset(
        self, reports: list[CachedReport], known: Iterable[str] = ()
    ) -> tuple[pa_ds.Dataset, list[CachedReport]]:
        """These cached reports as one ``pyarrow.dataset`` (``meeting_id`` from the folder names).

        An added field (not in ``known``) typed differently in two reports is left out, and a file
        whose ``known`` columns cannot share the others' types is skipped, each with a
        ``CacheCorruptWarning``; the reports kept come back too.

        Raises
        ------
        FileNotFoundError
            When there are none.
        """
        if not reports:
            raise FileNotFoundError(f"no cached reports under {self.dataset_dir}")
        unified = reports[0].schema
        kept = [reports[0]]
        left_out: set[str] = set()
        for report in reports[1:]:
            schema = pa.schema([field for field in report.schema if field.name not in left_out])
            try:
                unified = pa.unify_schemas([unified, schema], promote_options="permissive")
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                clashing = _clashing(unified, schema)
                if not clashing or clashing & set(known):
                    warn_user(
                        f"skipping the cache file {report.path}: its columns do not fit the others' types",
                        CacheCorruptWarning,
                    )
                    continue
                left_out |= clashing  # a field Zoom added, typed apart in two reports: not read
                keep = [f for f in unified if f.name not in clashing]
                unified = pa.unify_schemas(
                    [pa.schema(keep), pa.schema([f for f in schema if f.name not in clashing])],
                    promote_options="permissive",
                )
            kept.append(report)
        if left_out:
            warn_user(
                f"left out of the cached reports the added field(s) {sorted(left_out)}: their types "
                "differ between reports",
                CacheCorruptWarning,
            )
        dataset = pa_ds.dataset(
            [str(report.path) for report in kept],
            schema=pa.schema([pa.field(PARTITION, pa.int64()), *unified]),
            format="parquet",
            partitioning=_PARTITIONING,
            partition_base_dir=str(self.dataset_dir),
        )
        return dataset, kept


def _clashing(unified: pa.Schema, schema: pa.Schema) -> set[str]:
    """Names of fields whose types cannot be unified between two schemas."""
    clashing = set()
    for field in schema:
        if field.name in unified.names:
            try:
                pa.unify_schemas(
                    [pa.schema([unified.field(field.name)]), pa.schema([field])], promote_options="permissive"
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                clashing.add(field.name)
    return clashing


def _remove_idle_lock(lock: Path) -> None:
    """Delete the lock file of an entry that no longer exists, unless a writer holds it."""
    if not (lock.parent / f"{lock.name[1:-5]}.parquet").exists():
        unlink_unless_locked(lock, lock)
