"""Notebook widgets: ``LoginWidget`` (sign in) and ``MeetingPicker`` (find a meeting, load it).

Thin ipywidgets compositions over :mod:`zoom_pandas.auth`, :mod:`zoom_pandas.user_oauth` and the
readers; they never make HTTP requests themselves.
"""

from __future__ import annotations

from zoom_pandas.widgets.login import LoginWidget, login
from zoom_pandas.widgets.picker import MeetingPicker

__all__ = ["LoginWidget", "MeetingPicker", "login"]
