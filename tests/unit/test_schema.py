"""The participants schema: page parsing and typed frames, without any network."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

from zoom_pandas.schema import PARTICIPANT_FIELDS, participants_table, read_page, to_frame

EXPECTED_DTYPES = {
    "meeting_uuid": "string[pyarrow]",
    "customer_key": "string[pyarrow]",
    "duration": "duration[s][pyarrow]",
    "failover": "bool[pyarrow]",
    "id": "string[pyarrow]",
    "join_time": "timestamp[us, tz=UTC][pyarrow]",
    "leave_time": "timestamp[us, tz=UTC][pyarrow]",
    "name": "string[pyarrow]",
    "registrant_id": "string[pyarrow]",
    "status": "string[pyarrow]",
    "user_email": "string[pyarrow]",
    "user_id": "string[pyarrow]",
    "bo_mtg_id": "string[pyarrow]",
    "participant_user_id": "string[pyarrow]",
}


def body(
    rows: list[dict[str, object]], token: str = "", total: int | None = None, indent: int | None = None
) -> bytes:
    page = {
        "page_count": 1,
        "page_size": 300,
        "total_records": len(rows) if total is None else total,
        "next_page_token": token,
        "participants": rows,
    }
    return json.dumps(page, indent=indent).encode()


def frame_of(*bodies: bytes) -> pd.DataFrame:
    return to_frame(participants_table([read_page(b) for b in bodies], "uuid=="))


def test_the_dtypes_are_the_contract() -> None:
    row = {
        "name": "Ada",
        "join_time": "2022-03-23T06:58:09Z",
        "leave_time": "2022-03-23T07:02:28Z",
        "duration": 259,
        "failover": False,
    }
    frame = frame_of(body([row]))
    assert {k: str(v) for k, v in frame.dtypes.items()} == EXPECTED_DTYPES
    assert list(PARTICIPANT_FIELDS) == list(EXPECTED_DTYPES)


def test_zero_rows_have_the_same_dtypes() -> None:
    frame = frame_of(body([]))
    assert frame.empty
    assert {k: str(v) for k, v in frame.dtypes.items()} == EXPECTED_DTYPES
    assert {k: str(v) for k, v in to_frame(participants_table([], None)).dtypes.items()} == EXPECTED_DTYPES


def test_times_with_fractions_and_offsets() -> None:
    rows = [
        {"join_time": "2022-03-23T06:58:09Z", "leave_time": "2022-03-23T07:02:28.660Z"},
        {"join_time": "2022-03-23T08:58:09+02:00", "leave_time": "2022-03-23T07:02:28.123456Z"},
        {"join_time": "2022-03-23T01:58:09.5-05:00", "leave_time": ""},
    ]
    frame = frame_of(body(rows))
    assert frame["join_time"].tolist() == [
        pd.Timestamp("2022-03-23T06:58:09Z"),
        pd.Timestamp("2022-03-23T06:58:09Z"),
        pd.Timestamp("2022-03-23T06:58:09.5Z"),
    ]
    assert frame["leave_time"].iloc[1] == pd.Timestamp("2022-03-23T07:02:28.123456Z")
    assert frame["leave_time"].isna().tolist() == [False, False, True]


def test_a_time_that_would_be_truncated_is_an_error_not_a_silent_loss() -> None:
    with pytest.raises(ValueError, match="join_time"):
        frame_of(body([{"join_time": "2022-03-23T06:58:09.123456789Z"}]))


def test_blank_and_missing_text_is_na_and_duration_is_seconds() -> None:
    rows = [
        {"name": "Guest", "id": "", "user_email": "", "duration": 90},
        {"name": "Member", "id": "abc", "user_email": "m@example.com"},
    ]
    frame = frame_of(body(rows))
    assert frame["id"].isna().tolist() == [True, False]
    assert frame["user_email"].isna().tolist() == [True, False]
    assert frame["bo_mtg_id"].isna().all()
    assert frame["duration"].iloc[0] == pd.Timedelta(seconds=90)
    assert pd.isna(frame["duration"].iloc[1])


def test_unknown_fields_are_kept_after_the_known_ones() -> None:
    frame = frame_of(body([{"name": "A", "attentiveness_score": 87, "device": ""}]))
    assert list(frame.columns[-2:]) == ["attentiveness_score", "device"]
    assert frame["attentiveness_score"].iloc[0] == 87
    assert pd.isna(frame["device"].iloc[0])


def test_pages_keep_api_order_and_unify_fields() -> None:
    first = body([{"name": f"p{i}"} for i in range(3)], token="t1", total=5)
    second = body([{"name": "p3", "new_field": True}, {"name": "p4"}], total=5, indent=2)
    frame = frame_of(first, second)
    assert frame["name"].tolist() == ["p0", "p1", "p2", "p3", "p4"]
    assert frame["new_field"].isna().sum() == 4
    assert (frame["meeting_uuid"] == "uuid==").all()


def test_page_metadata() -> None:
    page = read_page(body([{"name": "x"}] * 3, token='a"b\\c/é', total=700))
    assert (page.next_page_token, page.total_records, page.page_size, page.page_count) == (
        'a"b\\c/é',
        700,
        300,
        3,
    )


def test_a_token_inside_a_value_is_not_mistaken_for_the_page_token() -> None:
    tricky = body([{"name": 'x","next_page_token":"evil'}], token="")
    assert read_page(tricky).next_page_token == ""
    assert frame_of(tricky)["name"].iloc[0] == 'x","next_page_token":"evil'


@pytest.mark.parametrize("bad", [b"", b"not json", b"[1, 2]", b'{"participants": 5}', b"{}\n{}"])
def test_malformed_pages_raise_value_error(bad: bytes) -> None:
    with pytest.raises(ValueError, match="page"):
        participants_table([read_page(bad)], "u")


def test_table_is_arrow_and_frame_is_arrow_backed() -> None:
    table = participants_table([read_page(body([{"name": "x"}]))], "u")
    assert isinstance(table, pa.Table)
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in to_frame(table).dtypes)


def test_count_people_falls_back_from_account_to_email_to_name() -> None:
    from zoom_pandas.schema import count_people

    rows = [
        {"participant_user_id": "acc1", "user_email": "a@x.org", "name": "Ada"},
        {"participant_user_id": "acc1", "user_email": "a@x.org", "name": "Ada (phone)"},  # a rejoin
        {"participant_user_id": "", "user_email": "g@x.org", "name": "Guest"},
        {"participant_user_id": "", "user_email": "", "name": "Walk-in"},
        {"participant_user_id": "", "user_email": "", "name": "Walk-in"},
    ]
    assert count_people(frame_of(body(rows))) == 3
