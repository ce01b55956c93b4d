"""Every notebook runs headless against the sandbox, is committed without outputs, and saves no secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO
from zoom_pandas.sandbox import Sandbox

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
pytestmark = pytest.mark.notebook


def execute(path: Path) -> object:
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_quickstart.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name
    assert "widgets" not in notebook["metadata"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_top_to_bottom_without_credentials(path: Path) -> None:
    notebook = execute(path)
    text = json.dumps(nbformat.from_dict(notebook))
    assert '"output_type": "error"' not in text
    assert "signed in as owner@example.com" in text  # the sandbox was used


def test_saved_output_holds_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox() as sandbox:
        for name, value in sandbox.env().items():
            monkeypatch.setenv(name, value)
        notebook = execute(NOTEBOOKS[0])
        tokens = list(sandbox.oauth.tokens)
    text = json.dumps(nbformat.from_dict(notebook))
    assert "signed in as the ZOOM_* credentials" in text  # read Zoom (here: the sandbox) via the env
    assert sandbox.credentials.client_secret not in text
    assert tokens and not any(token in text for token in tokens)
