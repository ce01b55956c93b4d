"""What Zoom's participant sources are, as values: paths, fields, rate-limit labels, cache dataset.

Meetings (the admin's report and a host's past meetings) and webinars are constants of one
:class:`ReportSpec`, not copies of code; :mod:`zoom_pandas.reports` fetches any of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

from zoom_pandas.ratelimit import RateLabel
from zoom_pandas.schema import INSTANCES, PARTICIPANTS, WEBINAR_INSTANCES, WEBINAR_PARTICIPANTS, FieldMap

__all__ = ["MEETING_REPORT", "PAST_MEETINGS", "WEBINAR_REPORT", "ReportSpec"]


@dataclasses.dataclass(frozen=True)
class ReportSpec:
    """What one participants report endpoint is: paths, fields, rate-limit labels, cache dataset.

    Parameters
    ----------
    kind : str
        What users call the thing the report is about ("meeting", "webinar").
    resolve_path : str
        Template with ``{ref}`` (a number, or an encoded UUID): the instance's id, uuid, topic, times.
    instances_path : str
        Template with ``{id}``: the ended instances of a number.
    pages_path : str
        Template with ``{uuid}`` (encoded): the participant pages of one instance.
    fields : FieldMap
        The participant rows.
    instances : FieldMap
        The rows of the instances listing.
    labels : mapping
        Zoom's rate-limit label of the ``"resolve"``, ``"instances"`` and ``"pages"`` calls.
    dataset : str
        The cache dataset (folder) this report's rows live in.
    not_found : str
        Added to a "not found" answer: where the number may belong instead.
    needs : str
        Added to a refusal (missing scope or plan): what the report needs.
    lists_need : str
        Added to a refusal of the resolve or instances call: the scopes those need.
    endpoint : str
        Which of Zoom's sources this is (``attrs["meetings"][i]["endpoint"]``): ``"report"``
        or ``"past_meetings"``.
    """

    kind: str
    resolve_path: str
    instances_path: str
    pages_path: str
    fields: FieldMap
    instances: FieldMap
    labels: Mapping[Literal["resolve", "instances", "pages"], RateLabel]
    dataset: str
    not_found: str = ""
    needs: str = ""
    lists_need: str = ""
    endpoint: str = "report"


MEETING_REPORT = ReportSpec(
    kind="meeting",
    resolve_path="/past_meetings/{ref}",
    instances_path="/past_meetings/{id}/instances",
    pages_path="/report/meetings/{uuid}/participants",
    fields=PARTICIPANTS,
    instances=INSTANCES,
    labels={"resolve": "Light", "instances": "Medium", "pages": "Heavy"},
    dataset="participants",
    not_found="A webinar? Use read_webinar_participants (zoom-pandas webinar).",
    needs="The app needs the scope report:read:admin (classic) or "
    "report:read:list_meeting_participants:admin (granular), and a Pro or higher plan.",
    lists_need="Past meetings and their instances need the scopes meeting:read:past_meeting and "
    "meeting:read:list_past_instances (a host's own; with :admin, anyone's) or meeting:read (classic).",
)

#: A host's own source: ``GET /past_meetings/{uuid}/participants`` (Medium; the user-level scope
#: ``meeting:read:list_past_participants``). Its rows lack customer_key, bo_mtg_id and
#: participant_user_id: the same columns, NA. Cached apart from the report's rows.
PAST_MEETINGS = dataclasses.replace(
    MEETING_REPORT,
    pages_path="/past_meetings/{uuid}/participants",
    labels={"resolve": "Light", "instances": "Medium", "pages": "Medium"},
    dataset="past_participants",
    needs="The app needs the scope meeting:read:list_past_participants (a host's own meetings; "
    "meeting:read:list_past_participants:admin for anyone's) or meeting:read (classic).",
    endpoint="past_meetings",
)

WEBINAR_REPORT = ReportSpec(
    kind="webinar",
    resolve_path="/report/webinars/{ref}",
    instances_path="/past_webinars/{id}/instances",
    pages_path="/report/webinars/{uuid}/participants",
    fields=WEBINAR_PARTICIPANTS,
    instances=WEBINAR_INSTANCES,
    labels={"resolve": "Heavy", "instances": "Light", "pages": "Heavy"},
    dataset="webinar_participants",
    not_found="A meeting? Use read_participants (zoom-pandas participants).",
    needs="The app needs the scope report:read:admin (classic) or "
    "report:read:list_webinar_participants:admin (granular), a Pro or higher plan and the Webinar add-on.",
    lists_need="The app needs the scope report:read:admin (classic) or report:read:webinar:admin and "
    "report:read:list_webinar_participants:admin (granular), a Pro or higher plan and the Webinar add-on.",
)
