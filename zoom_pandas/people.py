"""Counting people in a participants frame (the CLI's and the picker's one-line summaries)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoom_pandas.attendance import rows_of

__all__ = ["count_people"]


def count_people(frame: pd.DataFrame) -> int:
    """Distinct people present in a participants frame, by the ``df.zoom`` rule.

    A person is the first of ``participant_user_id``, ``user_email``, ``registrant_id`` and
    ``name`` a row has, and counts when they were present at all (not only in the waiting room).
    Someone on two devices or rejoining counts once; two guests who gave only the same name count
    once (nothing tells them apart).
    """
    rows = rows_of(frame)
    return len(np.unique(rows.person[~rows.waiting & (rows.person >= 0)]))
