"""What the widgets share: the ipywidgets import with its install hint, busy buttons, one-line errors."""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Callable

from zoom_pandas.errors import AuthError, ZoomAPIError

try:
    import ipywidgets as widgets
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("zoom_pandas widgets need ipywidgets: pip install 'zoom-pandas[jupyter]'") from exc

__all__ = ["LABELS", "describe", "error_line", "run_busy", "widgets"]

#: Field labels wide enough for "Client secret" and "Account ID" (ipywidgets' default cuts them).
LABELS = {"description_width": "7.5em"}


def describe(exc: BaseException, *, api_url: str | None = None) -> str:
    """What went wrong, in the user's words: one line of plain text.

    A Zoom error says what Zoom answered and adds the HTTP status at the end; an error without an
    answer is not labelled as one: a connection failure names the host that could not be reached.
    """
    if isinstance(exc, ZoomAPIError):
        text = exc.message
        if exc.status_code is not None:
            code = f", Zoom code {exc.code}" if exc.code is not None else ""
            text += f" (HTTP {exc.status_code}{code})"
        elif not isinstance(exc, AuthError) and isinstance(exc.__cause__, OSError):
            # requests' connection errors and timeouts are OSErrors: nothing answered
            host = urllib.parse.urlsplit(api_url).netloc if api_url else "Zoom"
            text = f"could not reach {host or 'Zoom'}: {text}"
    else:
        text = str(exc) or type(exc).__name__
    text = text.splitlines()[0] if text else type(exc).__name__
    return text[:1].upper() + text[1:]


def error_line(exc: BaseException, *, api_url: str | None = None, after: str = "") -> str:
    """One readable line, in red (``after``: HTML appended to it, e.g. what is still in effect)."""
    return f"<span style='color:#b00020'>{html.escape(describe(exc, api_url=api_url))}</span>" + (
        f" <span style='color:#555'>{after}</span>" if after else ""
    )


def run_busy(
    work: Callable[[], object],
    status: widgets.HTML,
    *buttons: widgets.Button,
    failed: Callable[[BaseException], str] | None = None,
) -> None:
    """Run a click's work with its buttons disabled; show any error in ``status`` in one line.

    ``failed`` turns the exception into that line's HTML (default: :func:`error_line`).
    """
    for button in buttons:
        button.disabled = True
    try:
        work()
    except Exception as exc:  # shown to the user in one line
        status.value = failed(exc) if failed is not None else error_line(exc)
    finally:
        for button in buttons:
            button.disabled = False
