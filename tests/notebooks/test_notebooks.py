"""Every notebook runs headless against the sandbox, is committed without outputs, and saves no secret."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from zoom_pandas.sandbox import Sandbox, SandboxData

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
ATTENDANCE = REPO / "notebooks" / "02_attendance.ipynb"
pytestmark = pytest.mark.notebook

#: Notebooks already run without credentials in this session (each runs once for all the tests).
_EXECUTED: dict[Path, Any] = {}


def execute(path: Path, notebook: Any = None) -> Any:
    notebook = notebook if notebook is not None else nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def executed_without_credentials(path: Path) -> Any:
    if path not in _EXECUTED:
        _EXECUTED[path] = execute(path)
    return _EXECUTED[path]


def with_meeting(path: Path, meeting: int) -> Any:
    """The notebook with ``MEETING`` set in its parameters cell, as a user with their own account does."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            assert "MEETING = None" in cell.source
            cell.source = cell.source.replace("MEETING = None", f"MEETING = {meeting}")
    return notebook


def tagged(notebook: Any, tag: str) -> Any:
    (cell,) = [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]
    return cell


def html(cell: Any) -> str:
    return "".join(o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))


def body_rows(table: str) -> int:
    return table.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_quickstart.ipynb", "02_attendance.ipynb"]


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
    assert "signed in as owner@example.com" in text  # the sandbox was used


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


def test_attendance_notebook_asks_for_the_meeting_when_credentials_are_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Sandbox() as sandbox:
        for name, value in sandbox.env().items():
            monkeypatch.setenv(name, value)
        with pytest.raises(nbclient.exceptions.CellExecutionError, match="put your course's meeting number"):
            execute(ATTENDANCE)
        assert not sandbox.requests  # it stopped before reading anything


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_output_holds_no_secret(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox() as sandbox:
        for name, value in sandbox.env().items():
            monkeypatch.setenv(name, value)
        notebook = execute(path, with_meeting(path, SandboxData.COURSE))
        tokens = list(sandbox.oauth.tokens)
    text = json.dumps(nbformat.from_dict(notebook))
    assert '"output_type": "error"' not in text
    assert "signed in as the ZOOM_* credentials" in text  # read Zoom (here: the sandbox) via the env
    assert sandbox.credentials.client_secret not in text
    assert tokens and not any(token in text for token in tokens)
