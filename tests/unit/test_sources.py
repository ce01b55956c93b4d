"""Which source a read uses: the missing-scope refusal, the per-client memory, one warning."""

from __future__ import annotations

import gc
import warnings

import pytest

import zoom_pandas as zp
from zoom_pandas.sources import announce_fallback, check_source, is_missing_scope, refused, remember_refusal


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


def test_a_refusal_is_remembered_per_client_and_first_only_once() -> None:
    one, other = zp.ZoomClient(), zp.ZoomClient()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # remembering says nothing: the reader announces the switch
        assert remember_refusal(one, "participants") is True
        assert remember_refusal(one, "participants") is False
    assert refused(one, "participants") and not refused(one, "meetings")
    assert not refused(other, "participants")
    assert remember_refusal(one, "meetings") is True and refused(one, "meetings")


@pytest.mark.parametrize(
    ("what", "names"), [("participants", "bo_mtg_id"), ("meetings", "previous_meetings")]
)
def test_the_switch_names_what_the_other_source_lacks(what: str, names: str) -> None:
    with pytest.warns(zp.ZoomPandasWarning, match=names):
        announce_fallback(what)


def test_the_memory_does_not_keep_clients_alive() -> None:
    import weakref

    client = zp.ZoomClient()
    remember_refusal(client, "participants")
    gone = weakref.ref(client)
    del client
    gc.collect()
    assert gone() is None
