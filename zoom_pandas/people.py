"""Counting people in a participants frame (the CLI's and the picker's one-line summaries)."""

from __future__ import annotations

import pandas as pd

__all__ = ["count_people"]


def count_people(frame: pd.DataFrame) -> int:
    """Distinct people in a participants frame: by account id, else email, else display name.

    Guests have no account id and often no email, so two guests with one name count once.
    """
    who = frame["participant_user_id"].fillna(frame["user_email"]).fillna(frame["name"])
    return int(who.nunique())
