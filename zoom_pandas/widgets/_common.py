"""What both widgets share: the ipywidgets import with its install hint, busy buttons, one-line errors."""

from __future__ import annotations

import html
from collections.abc import Callable

try:
    import ipywidgets as widgets
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("zoom_pandas widgets need ipywidgets: pip install 'zoom-pandas[jupyter]'") from exc

__all__ = ["error_line", "run_busy", "widgets"]


def error_line(exc: BaseException) -> str:
    """One readable line, in red."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"<span style='color:#b00020'>{html.escape(text)}</span>"


def run_busy(work: Callable[[], object], status: widgets.HTML, *buttons: widgets.Button) -> None:
    """Run a click's work with its buttons disabled; show any error in ``status`` in one line."""
    for button in buttons:
        button.disabled = True
    try:
        work()
    except Exception as exc:  # shown to the user in one line
        status.value = error_line(exc)
    finally:
        for button in buttons:
            button.disabled = False
