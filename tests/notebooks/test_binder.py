"""Binder's environment installs what every notebook imports; the README sends nobody to a broken link.

Binder itself cannot be reached from CI: this checks the files it builds from, and the browser
test opens every notebook in Voila as Binder's ``voila/render`` address does.
"""

from __future__ import annotations

import configparser
import json
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
README = (REPO / "README.md").read_text(encoding="utf-8")
#: Which installed distribution gives each module the notebooks import (IPython comes with ipywidgets).
PROVIDED_BY = {
    "IPython": "ipywidgets",
    "ipywidgets": "ipywidgets",
    "matplotlib": "matplotlib",
    "pandas": "pandas",
    "zoom_pandas": "zoom-pandas",
}


def imported(path: Path) -> set[str]:
    """The top-level modules a notebook's code cells import."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return {name.split(".")[0] for name in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", source, re.M)}


def requirement_names(lines: list[str]) -> set[str]:
    return {re.split(r"[\s<>=!~\[;]", line.strip(), maxsplit=1)[0].lower() for line in lines if line.strip()}


def binder_installs() -> set[str]:
    """What Binder installs: binder/requirements.txt, then postBuild's ``pip install -e .[extras]``."""
    requirements = (REPO / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    names = requirement_names([line for line in requirements if not line.lstrip().startswith("#")])
    post_build = (REPO / "binder" / "postBuild").read_text(encoding="utf-8")
    (extras,) = re.findall(r'pip install .*-e "\.\[([\w,]+)\]"', post_build)
    setup = configparser.ConfigParser()
    setup.read(REPO / "setup.cfg", encoding="utf-8")
    names |= requirement_names(setup["options"]["install_requires"].splitlines()) | {"zoom-pandas"}
    for extra in extras.split(","):
        names |= requirement_names(setup["options.extras_require"][extra].splitlines())
    return names


def test_binder_has_voila_and_builds_the_package() -> None:
    installs = binder_installs()
    assert {"voila", "jupyterlab", "ipywidgets", "matplotlib"} <= installs
    assert (REPO / "binder" / "postBuild").stat().st_mode & 0o111  # repo2docker runs it


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_binder_installs_what_each_notebook_imports(path: Path) -> None:
    third_party = imported(path) - set(sys.stdlib_module_names)
    assert third_party <= set(PROVIDED_BY), f"add {third_party - set(PROVIDED_BY)} to PROVIDED_BY and Binder"
    assert {PROVIDED_BY[name] for name in third_party} <= binder_installs()


def test_readme_has_no_broken_binder_link() -> None:
    # What renders as a link: the README without its code blocks and inline code.
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", README, flags=re.S))
    links = re.findall(r"\]\((https?://[^)\s]+)\)", prose)
    assert not [link for link in links if "OWNER" in link]  # a placeholder is never a live link
    top = README.split("\n## ", 1)[0]
    assert (
        "no badge until the repository is published" in top and "[Try it on Binder](#try-it-on-binder)" in top
    )


def test_readme_binder_addresses_name_notebooks_that_exist() -> None:
    section = README.split("### Try it on Binder", 1)[1].split("\n## ", 1)[0]
    rendered = re.findall(r"urlpath=(?:voila/render|lab/tree)/([\w/]+\.ipynb)", section)
    assert rendered and all((REPO / path).exists() for path in rendered)
    assert "urlpath=voila/tree" in section
    for path in NOTEBOOKS:
        assert path.stem in section, path.name  # each notebook is named, so each can be opened
