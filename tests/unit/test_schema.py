"""The participants schema: page parsing and typed frames, without any network."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

from zoom_pandas.page_table import pages_table
from zoom_pandas.paging import scan_page
from zoom_pandas.schema import (
    INSTANCES,
    MEETINGS,
    PARTICIPANTS,
    WEBINAR_PARTICIPANTS,
    FieldMap,
    to_frame,
)

EXPECTED_DTYPES = {
    "meeting_id": "int64[pyarrow]",
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


STAMP = {"meeting_id": 123, "meeting_uuid": "uuid=="}


def table_of(*bodies: bytes, fields: FieldMap = PARTICIPANTS) -> pa.Table:
    return pages_table(list(bodies), fields, STAMP)[0]


def frame_of(*bodies: bytes) -> pd.DataFrame:
    return to_frame(table_of(*bodies))


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
    assert list(PARTICIPANTS.fields) == list(EXPECTED_DTYPES)
    assert frame["meeting_id"].tolist() == [123] and frame["meeting_uuid"].tolist() == ["uuid=="]


def test_webinar_participants_are_the_same_without_breakout_rooms() -> None:
    expected = {k: v for k, v in EXPECTED_DTYPES.items() if k != "bo_mtg_id"}
    frame = to_frame(table_of(body([{"name": "Ada", "duration": 5}]), fields=WEBINAR_PARTICIPANTS))
    assert {k: str(v) for k, v in frame.dtypes.items()} == expected


def test_zero_rows_have_the_same_dtypes() -> None:
    frame = frame_of(body([]))
    assert frame.empty
    assert {k: str(v) for k, v in frame.dtypes.items()} == EXPECTED_DTYPES
    assert {k: str(v) for k, v in to_frame(table_of()).dtypes.items()} == EXPECTED_DTYPES


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
    page = scan_page(body([{"name": "x"}] * 3, token='a"b\\c/é', total=700))
    assert (page.next_page_token, page.total_records, page.page_size, page.page_count) == (
        'a"b\\c/é',
        700,
        300,
        3,
    )


def test_a_token_inside_a_value_is_not_mistaken_for_the_page_token() -> None:
    tricky = body([{"name": 'x","next_page_token":"evil'}], token="")
    assert scan_page(tricky).next_page_token == ""
    assert frame_of(tricky)["name"].iloc[0] == 'x","next_page_token":"evil'


@pytest.mark.parametrize("bad", [b"", b"not json", b"[1, 2]", b'{"participants": 5}', b"{}\n{}"])
def test_malformed_pages_raise_value_error(bad: bytes) -> None:
    with pytest.raises(ValueError, match="page"):
        table_of(bad)


def test_table_is_arrow_and_frame_is_arrow_backed() -> None:
    table = table_of(body([{"name": "x"}]))
    assert isinstance(table, pa.Table)
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in to_frame(table).dtypes)


def test_count_people_falls_back_from_account_to_email_to_name() -> None:
    from zoom_pandas.people import count_people

    rows = [
        {"participant_user_id": "acc1", "user_email": "a@x.org", "name": "Ada"},
        {"participant_user_id": "acc1", "user_email": "a@x.org", "name": "Ada (phone)"},  # a rejoin
        {"participant_user_id": "", "user_email": "g@x.org", "name": "Guest"},
        {"participant_user_id": "", "user_email": "", "name": "Walk-in"},
        {"participant_user_id": "", "user_email": "", "name": "Walk-in"},
    ]
    assert count_people(frame_of(body(rows))) == 3


def test_a_stamped_column_on_the_wire_never_wins() -> None:
    frame = frame_of(body([{"name": "A", "meeting_id": "evil", "meeting_uuid": "other"}]))
    assert frame["meeting_id"].tolist() == [123] and frame["meeting_uuid"].tolist() == ["uuid=="]
    assert list(frame.columns).count("meeting_id") == 1


def meetings_page(rows: list[dict[str, object]], key: str = "meetings") -> bytes:
    return json.dumps(
        {"from": "2026-01-01", "page_size": 300, "total_records": len(rows), key: rows}
    ).encode()


def test_meetings_listing_renames_converts_minutes_and_drops_the_rest() -> None:
    rows = [
        {"uuid": "u1==", "id": 85746065432, "topic": "Sync", "start_time": "2026-01-02T10:00:00Z",
         "duration": 30, "custom_keys": [{"key": "k", "value": "v"}], "join_time": "12/22/2021 16:20"},
        {"id": 85746065432, "topic": "No uuid", "duration": 0},
    ]  # fmt: skip
    frame = to_frame(pages_table([meetings_page(rows)], MEETINGS)[0])
    assert list(frame.columns) == list(MEETINGS.fields)
    assert frame["meeting_uuid"].tolist()[0] == "u1==" and pd.isna(frame["meeting_uuid"].iloc[1])
    assert frame["meeting_id"].tolist() == [85746065432] * 2
    assert frame["duration"].tolist() == [pd.Timedelta(minutes=30), pd.Timedelta(0)]
    assert str(frame["start_time"].dtype) == "timestamp[us, tz=UTC][pyarrow]"


def test_instances_listing_is_stamped_with_the_meeting_number() -> None:
    page = meetings_page([{"uuid": "a==", "start_time": "2026-01-02T10:00:00Z"}])
    table, tokens = pages_table([page], INSTANCES, {"meeting_id": 42})
    assert table.column_names == ["meeting_id", "meeting_uuid", "start_time"]
    assert table.column("meeting_id").to_pylist() == [42] and tokens == [""]


def test_numpy_nullable_backend() -> None:
    row = {"name": "Ada", "duration": 5, "failover": True, "join_time": "2022-03-23T06:58:09Z"}
    frame = to_frame(table_of(body([row])), dtype_backend="numpy_nullable")
    dtypes = {k: str(v) for k, v in frame.dtypes.items()}
    assert dtypes["meeting_id"] == "Int64" and dtypes["failover"] == "boolean"
    assert dtypes["join_time"] == "datetime64[us, UTC]" and dtypes["duration"] == "timedelta64[s]"
    assert dtypes["name"].startswith("string")
    assert frame["join_time"].iloc[0] == pd.Timestamp("2022-03-23T06:58:09Z")
    with pytest.raises(ValueError, match="dtype_backend"):
        to_frame(table_of(), dtype_backend="numpy")  # type: ignore[arg-type]
