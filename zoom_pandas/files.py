"""Private files written atomically: the cache's Parquet files and the user OAuth token file.

A reader sees the old file or the new one, never half of one: temp file in the same folder,
fsync, mode 0600, ``os.replace``, fsync of the folder. Names starting with "." keep the temp files
out of every dataset reader.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import filelock

__all__ = [
    "TEMP_SUFFIX",
    "make_private_dirs",
    "remove_stale_temp_files",
    "temp_files",
    "unlink_unless_locked",
    "write_atomically",
]

#: Temp files are ``.{target name}.{random}.tmp``: hidden from dataset readers, traceable to their
#: target when a killed writer leaves one behind.
TEMP_SUFFIX = ".tmp"


def make_private_dirs(folder: Path, root: Path | None = None) -> None:
    """Create ``folder`` and any missing parent with mode 0700 (personal data).

    Only folders created here get 0700: an existing folder keeps its mode (a shared cache root,
    a symlink's target or a sticky 1777 folder are the owner's choice). ``root`` is kept for the
    callers' sake; nothing above or at an existing root is touched either way.
    """
    missing: list[Path] = []
    current = folder
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # another writer made it first: theirs is 0700 too
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask


def write_atomically(target: Path, write: Callable[[BinaryIO], Any]) -> None:
    """Write ``target`` (mode 0600) through ``write(handle)``; on any failure the old file stays."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def temp_files(folder: Path) -> dict[Path, str]:
    """Temp files in ``folder`` (left by killed writers, or being written), with their target's name."""
    found: dict[Path, str] = {}
    for path in folder.glob(f".*{TEMP_SUFFIX}"):
        parts = path.name[1:].rsplit(".", 2)
        if len(parts) == 3:
            found[path] = parts[0]
    return found


def remove_stale_temp_files(folder: Path) -> None:
    """Delete temp files whose writer is gone (killed mid-write): their target's lock is free.

    A writer holds ``.{target stem}.lock`` in the same folder while it writes.
    """
    for temp, target in temp_files(folder).items():
        unlink_unless_locked(temp, folder / f".{Path(target).stem}.lock")


def unlink_unless_locked(path: Path, lock: Path) -> None:
    """Delete ``path`` while holding ``lock``; leave it when a writer holds the lock now."""
    try:
        with filelock.FileLock(str(lock), mode=0o600, timeout=0):
            path.unlink(missing_ok=True)
    except filelock.Timeout:
        pass


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (not every file system lets a folder be fsynced)."""
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
