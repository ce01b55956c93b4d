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

__all__ = ["make_private_dirs", "write_atomically"]


def make_private_dirs(folder: Path, root: Path | None = None) -> None:
    """Create ``folder`` and the folders below ``root`` with mode 0700 (personal data).

    An existing ``root`` keeps its own mode (a shared cache folder is the owner's choice); one
    created here is 0700 too.
    """
    root_existed = root is not None and root.is_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    current = folder
    while root is None or current == root or root in current.parents:
        if current == root and root_existed:
            break
        os.chmod(current, 0o700)
        if root is None or current == root:
            break
        current = current.parent


def write_atomically(target: Path, write: Callable[[BinaryIO], Any]) -> None:
    """Write ``target`` (mode 0600) through ``write(handle)``; on any failure the old file stays."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
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
