"""tqdm progress bars over report pages, or over the instances of a read of many, where someone watches."""

from __future__ import annotations

import sys
import threading
from typing import Any

from zoom_pandas.paging import Page

__all__ = ["InstanceProgress", "PageProgress", "is_interactive"]


def is_interactive() -> bool:
    """True in a Jupyter kernel or when stderr is a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        shell = ipython.get_ipython()
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            return True
    return sys.stderr.isatty()


class _Bar:
    """A ``tqdm.auto`` bar opened only when wanted: ``enabled``, or by default where someone watches."""

    def __init__(self, enabled: bool | None) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def _open(self, more_than_one: bool, **options: Any) -> None:
        if self.enabled if self.enabled is not None else is_interactive() and more_than_one:
            from tqdm.auto import tqdm

            self._bar = tqdm(**options)

    def close(self) -> None:
        """Close the bar, if one was shown."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class PageProgress(_Bar):
    """Counts pages; opens a ``tqdm.auto`` bar on the first page once the page count is known.

    Parameters
    ----------
    enabled : bool or None
        ``True`` always shows a bar, ``False`` never; ``None`` shows one in interactive sessions
        when the report has more than one page.
    description : str
        The bar's label.
    """

    def __init__(self, enabled: bool | None, description: str) -> None:
        super().__init__(enabled)
        self.description = description
        self.pages = 0

    def update(self, page: Page) -> None:
        """Record one page (called by the client as each page arrives)."""
        if self.pages == 0 and self._bar is None:
            expected = page.page_count
            self._open((expected or 0) > 1, total=expected, desc=self.description, unit="page", leave=False)
        self.pages += 1
        if self._bar is not None:
            self._bar.update(1)


class InstanceProgress(_Bar):
    """One ``tqdm.auto`` bar over the instances of a read of many, with the pages read as its postfix.

    Thread-safe: every worker reports its pages and finished instances to the same bar.

    Parameters
    ----------
    enabled : bool or None
        ``True`` always shows a bar, ``False`` never; ``None`` shows one in interactive sessions
        when there is more than one instance.
    kind : str
        What is counted ("meeting", "webinar").
    """

    def __init__(self, enabled: bool | None, kind: str) -> None:
        super().__init__(enabled)
        self.kind = kind
        self.pages = 0
        self.instances = 0
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        """Open the bar once the number of instances is known."""
        self._open(total > 1, total=total, desc=f"{self.kind} instances", unit="instance")

    def page(self, page: Page) -> None:
        """Count one page (called from the worker that fetched it)."""
        with self._lock:
            self.pages += 1
            if self._bar is not None:
                self._bar.set_postfix(pages=self.pages, refresh=False)

    def done(self) -> None:
        """Count one instance, read or failed."""
        with self._lock:
            self.instances += 1
            if self._bar is not None:
                self._bar.update(1)
