"""Which source a read uses: the missing-scope refusal, the per-client memory, one warning."""

from __future__ import annotations

import gc
import warnings

import pytest

import zoom_pandas as zp
from zoom_pandas.sources import check_source, is_missing_scope, refused, remember_refusal


@pytest.mark.parametrize(
    ("error", "missing"),
    [
        (zp.PermissionDenied(400, 4711, "does not contain scopes"), True),
        (zp.AuthError(401, 4711, "does not contain scopes"), True),
        (zp.PermissionDenied(400, 4700, "does not contain scopes"), True),
        (zp.AuthError(401, 124, "Invalid access token."), False),
        (zp.PermissionDenied(403, 4711, "forbidden"), False),
        (zp.PermissionDenied(400, 200, "paid accounts only"), False),
        (zp.ZoomAPIError(None, None, "no answer"), False),
        (ValueError("not Zoom's"), False),
    ],
)
def test_only_zooms_missing_scope_answer_switches(error: BaseException, missing: bool) -> None:
    assert is_missing_scope(error) is missing


@pytest.mark.parametrize("source", ["auto", "report", "past_meetings"])
def test_sources_accepted(source: str) -> None:
    assert check_source(source) == source


@pytest.mark.parametrize("source", ["Auto", "dashboard", None, 1, ""])
def test_other_sources_are_refused(source: object) -> None:
    with pytest.raises(ValueError, match="source must be 'auto', 'report' or 'past_meetings'"):
        check_source(source)


def test_a_refusal_is_remembered_per_client_and_warned_once() -> None:
    one, other = zp.ZoomClient(), zp.ZoomClient()
    with pytest.warns(zp.ZoomPandasWarning, match="bo_mtg_id") as caught:
        remember_refusal(one, "participants")
    assert len(caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        remember_refusal(one, "participants")  # no second warning
    assert refused(one, "participants") and not refused(one, "meetings")
    assert not refused(other, "participants")
    with pytest.warns(zp.ZoomPandasWarning, match="previous_meetings"):
        remember_refusal(one, "meetings")
    assert refused(one, "meetings")


def test_the_memory_does_not_keep_clients_alive() -> None:
    import weakref

    client = zp.ZoomClient()
    with pytest.warns(zp.ZoomPandasWarning):
        remember_refusal(client, "participants")
    gone = weakref.ref(client)
    del client
    gc.collect()
    assert gone() is None
