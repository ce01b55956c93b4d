"""Every notebook runs headless against the sandbox, is committed without outputs, and saves no secret."""

from __future__ import annotations

import html as html_text
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from zoom_pandas.sandbox import Sandbox, SandboxData

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
QUICKSTART = REPO / "notebooks" / "01_quickstart.ipynb"
ATTENDANCE = REPO / "notebooks" / "02_attendance.ipynb"
NO_ADMIN = REPO / "notebooks" / "03_no_admin.ipynb"
pytestmark = pytest.mark.notebook
#: Who each notebook signs in as without credentials (03: the sandbox's host without admin rights);
#: 01 says it in its sign-in widget, and says that it is the sandbox.
SIGNED_IN = {
    QUICKSTART.name: "Signed in as <b>Olivia Owner</b> (owner@example.com) to the <b>built-in sandbox</b>",
    NO_ADMIN.name: f"signed in as {SandboxData.TEACHER}",
}
#: How each notebook says it used the ZOOM_* credentials.
SIGNED_IN_WITH_ENV = {QUICKSTART.name: "with the ZOOM_* credentials of this environment"}
#: The areas of 01 that follow the picker, by the cell that shows each.
QUICKSTART_AREAS = ("glance", "present", "columns")
#: A name that ends in parentheses: an export reads the text in them as the original name.
LAST_PARENTHESES = re.compile(r"\s*\([^()]*\)$")

#: Notebooks already run without credentials in this session (each runs once for all the tests).
_EXECUTED: dict[Path, Any] = {}


def execute(path: Path, notebook: Any = None) -> Any:
    notebook = notebook if notebook is not None else nbformat.read(path, as_version=4)
    # The kernel imports zoom_pandas from this checkout, whichever copy the interpreter has installed.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute(env=env)
    return notebook


def executed_without_credentials(path: Path) -> Any:
    if path not in _EXECUTED:
        _EXECUTED[path] = execute(path)
    return _EXECUTED[path]


def with_parameters(path: Path, **values: object) -> Any:
    """The notebook with parameters set (``MEETING = None`` -> ``MEETING = 92014201400``), as a user does."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            for name, value in values.items():
                assert f"{name} = None" in cell.source, name
                cell.source = cell.source.replace(f"{name} = None", f"{name} = {value!r}")
    return notebook


def tagged(notebook: Any, tag: str) -> Any:
    (cell,) = [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]
    return cell


def html(cell: Any) -> str:
    return "".join(o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))


def body_rows(table: str) -> int:
    return table.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


def table_rows(table: str) -> list[list[str]]:
    """The body of a DataFrame's HTML table: each row's cells (index first) as text."""
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [html_text.unescape(cell) for cell in re.findall(r"<t[hd]>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def printed(cell: Any) -> str:
    """What a cell printed (stdout and stderr)."""
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")


def outputs(notebook: Any) -> str:
    """Everything the notebook's cells printed or showed, widgets' state included, as one string
    (sources left out)."""
    notebook = nbformat.from_dict(notebook)
    return json.dumps([[cell.get("outputs", []) for cell in notebook.cells], widget_state(notebook)])


def widget_state(notebook: Any) -> dict[str, Any]:
    """The widgets' models as the run left them (nbclient saves them in the metadata), by model id."""
    saved = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return dict(saved.get("state", {}))


def area_outputs(notebook: Any, source: str) -> list[Any]:
    """The outputs the Output widget shown by the cell ``source`` holds."""
    (cell,) = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source == source]
    (shown,) = [o for o in cell.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    model = widget_state(notebook)[shown["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]]
    return list(model["state"]["outputs"])


def area(notebook: Any, source: str) -> str:
    """What the Output widget shown by the cell ``source`` holds (text and HTML), as one string."""
    return "".join(
        o.get("text", "")
        + "".join(str(v) for k, v in o.get("data", {}).items() if k in ("text/plain", "text/html"))
        for o in area_outputs(notebook, source)
    )


def course_people() -> Counter[str]:
    """The sandbox course's people (email, else name, as exports name them) and the sessions each joined."""
    joined: Counter[str] = Counter()
    for instance in SandboxData().meetings[SandboxData.COURSE].instances:
        joined.update({row["user_email"] or LAST_PARENTHESES.sub("", row["name"]) for row in instance.rows()})
    return joined


def per_person(cell: Any) -> dict[str, tuple[str, ...]]:
    """03's per-person table: (name as exports read it, sessions joined, attended, minutes) by person."""
    table = {}
    for name, email, joined, attended, minutes in table_rows(html(cell)):
        person = name if email == "<NA>" else email
        table[LAST_PARENTHESES.sub("", person)] = (LAST_PARENTHESES.sub("", name), joined, attended, minutes)
    return table


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_quickstart.ipynb", "02_attendance.ipynb", "03_no_admin.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name
    assert "widgets" not in notebook["metadata"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_top_to_bottom_without_credentials(path: Path) -> None:
    notebook = executed_without_credentials(path)
    text = json.dumps(nbformat.from_dict(notebook))
    assert '"output_type": "error"' not in text
    assert SIGNED_IN.get(path.name, "signed in as owner@example.com") in text  # the sandbox was used


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_machine_path(path: Path) -> None:
    shown = outputs(executed_without_credentials(path))
    for folder in {"/tmp/", tempfile.gettempdir(), str(Path.home()), str(REPO), str(REPO.parent)}:
        assert folder not in shown, folder


def test_attendance_notebook_answers_for_the_course() -> None:
    notebook = executed_without_credentials(ATTENDANCE)
    assert body_rows(html(tagged(notebook, "summary"))) == 14  # one row per session
    matrix = html(tagged(notebook, "matrix"))
    assert len(re.findall(r"<th>\d\d [A-Z][a-z]{2}</th>", matrix.split("<tbody>", 1)[0])) == 14
    attendance = html(tagged(notebook, "attendance"))
    assert "minutes present" in attendance and body_rows(attendance) >= 20
    for tag in ("timeline", "concurrency"):
        assert any("image/png" in o.get("data", {}) for o in tagged(notebook, tag).outputs), tag
    roster = "".join(o.get("text", "") for o in tagged(notebook, "roster").outputs)
    assert "never came: also.absent@example.com, never.came@example.com" in roster


def test_no_admin_notebook_reads_the_hosts_own_source_and_says_so() -> None:
    notebook = executed_without_credentials(NO_ADMIN)
    said = "".join(printed(cell) for cell in notebook.cells if cell.cell_type == "code")
    assert "endpoint: past_meetings" in said and "endpoint: csv" in said
    # Each fallback is one readable note, not a warning box on stderr.
    assert said.count("Note: Zoom refused the meeting reports") == 1
    assert said.count("Note: Zoom refused the participant report") == 1
    assert "ZoomPandasWarning" not in outputs(notebook)
    sessions = len(SandboxData().meetings[SandboxData.COURSE].instances)
    assert f"rows from {sessions} sessions of 'Data Science 201 seminar'" in said
    assert f"rows from {sessions} files: participants_{SandboxData.COURSE}_" in said


def test_no_admin_attendance_tables_have_a_row_per_person_of_the_course() -> None:
    notebook = executed_without_credentials(NO_ADMIN)
    people = course_people()
    for tag in ("api-attendance", "csv-attendance"):
        table = html(tagged(notebook, tag))
        assert "sessions attended" in table and body_rows(table) == len(people), tag
        rows = per_person(tagged(notebook, tag))
        assert {person: int(row[1]) for person, row in rows.items()} == dict(people), tag
        assert all(0 <= int(attended) <= int(joined) for _, joined, attended, _ in rows.values()), tag


def test_no_admin_attendance_tables_agree() -> None:
    notebook = executed_without_credentials(NO_ADMIN)
    api, csv = (per_person(tagged(notebook, tag)) for tag in ("api-attendance", "csv-attendance"))
    assert api == csv
    assert any(int(row[3]) > 0 for row in api.values())
    agreement = printed(tagged(notebook, "agreement"))
    people = len(course_people())
    assert f"time present agrees to the second for {people} of {people} people" in agreement
    assert "the two attendance tables, names read alike: the same" in agreement


@pytest.mark.parametrize("path", [ATTENDANCE, NO_ADMIN], ids=lambda p: p.name)
def test_notebook_asks_for_the_meeting_when_credentials_are_set(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox() as sandbox:
        for name, value in sandbox.env().items():
            monkeypatch.setenv(name, value)
        with pytest.raises(nbclient.exceptions.CellExecutionError, match="put your course's meeting number"):
            execute(path)
        assert not sandbox.requests  # it stopped before reading anything


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_output_holds_no_secret(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # 03 is for a host: their own app's credentials, and the web-portal exports they saved.
    with Sandbox(app="host" if path == NO_ADMIN else "admin") as sandbox:
        for name, value in sandbox.env().items():
            monkeypatch.setenv(name, value)
        parameters: dict[str, object] = {"MEETING": SandboxData.COURSE}
        if path == NO_ADMIN:
            for instance in sandbox.data.meetings[SandboxData.COURSE].instances:
                sandbox.write_csv(instance.uuid, tmp_path / "exports", tz="Europe/London")
            parameters["EXPORTS"] = str(tmp_path / "exports" / "*.csv")
        notebook = execute(path, with_parameters(path, **parameters))
        tokens = list(sandbox.oauth.tokens)
    text = json.dumps(nbformat.from_dict(notebook))
    assert '"output_type": "error"' not in text
    said = SIGNED_IN_WITH_ENV.get(path.name, "signed in as the ZOOM_* credentials")
    assert said in text  # read Zoom (here: the sandbox) via the env
    assert sandbox.credentials.client_secret not in text
    assert tokens and not any(token in text for token in tokens)
    assert str(tmp_path) not in outputs(notebook)
    if path == NO_ADMIN:
        assert "endpoint: past_meetings" in text and "endpoint: csv" in text
        assert "names read alike: the same" in printed(tagged(notebook, "agreement"))


def test_quickstart_sections_show_the_meeting_the_picker_loaded() -> None:
    notebook = executed_without_credentials(QUICKSTART)
    status = next(
        model["state"]["value"]
        for model in widget_state(notebook).values()
        if model["model_name"] == "HTMLModel" and model["state"].get("value", "").startswith("Loaded")
    )
    glance, present, columns = (area(notebook, source) for source in QUICKSTART_AREAS)
    # The owner's most recent meeting is the picker's first, and the page starts with it.
    assert "Stand-up that just ended" in glance and f"{SandboxData.JUST_ENDED}" in columns
    people = re.search(r"<b>(\d+)</b> people", status)
    assert people and re.search(rf"people\s+{people[1]}\b", glance)  # the picker's count, the same rule
    assert "America/New_York" in glance and "first join (America/New_York)" in present  # one zone
    assert "minutes present" in present and "dtype" in columns


def test_quickstart_sections_follow_a_second_load() -> None:
    notebook = nbformat.read(QUICKSTART, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            f"picker.meeting.value = {SandboxData.TEAM_SYNC}\n"
            "picker.instance.value = picker.instance.options[1][1]\n"
            "picker.load_button.click()\n"
            "print(picker.df.attrs['topic'], picker.df.attrs['meeting_uuid'], sep='\\n')\n"
            "longest = picker.df.zoom.attendance().sort_values('time_present', ascending=False)\n"
            "print(*longest['name'].head(3), sep='\\n')"
        )
    )
    notebook = execute(QUICKSTART, notebook)
    topic, uuid, *names = printed(notebook.cells[-1]).splitlines()
    assert topic == "Weekly team sync"
    glance, present, columns = (area(notebook, source) for source in QUICKSTART_AREAS)
    assert "Weekly team sync" in glance and "Stand-up that just ended" not in glance  # redrawn
    assert uuid in columns and str(SandboxData.JUST_ENDED) not in columns
    assert all(name in present for name in names)
    assert all(len(area_outputs(notebook, source)) == 1 for source in QUICKSTART_AREAS)  # redrawn, not added
