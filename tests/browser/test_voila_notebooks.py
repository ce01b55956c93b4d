"""A real browser: one Voila server serves the notebooks, headless Debian Chromium opens them.

Quickstart: the page signs in to the sandbox and says so, loads the latest meeting and shows its
sections; loading "Weekly team sync" redraws them; the user-OAuth panel shows the redirect URL to
register (copied with its button) and a real link once a Client ID is typed; back to the sandbox.
Attendance: the course's tables and plots render. No admin rights: both attendance tables (the
host's own API source and the CSV exports) render and agree. Screenshots are saved in the tests'
temporary folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from zoom_pandas.sandbox import SandboxData

playwright_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("voila")

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
NOTEBOOKS = REPO / "notebooks"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(folder: Path, name: str, arguments: list[str]) -> Iterator[str]:
    """Run ``python -m ARGUMENTS --port=P`` on 127.0.0.1 until the tests are done; yield its URL."""
    port = free_port()
    # Module scope starts before the per-test isolation: drop ZOOM_* and keep the cache here ourselves.
    env = {name: value for name, value in os.environ.items() if not name.startswith("ZOOM_")}
    env["ZOOM_PANDAS_CACHE_DIR"] = str(folder / "cache")
    # Kernels import zoom_pandas from this checkout, whichever copy the interpreter has installed.
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    log_path = folder / f"{name}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", *arguments, "--no-browser", f"--port={port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while True:  # wait for the port, not a page (a page starts a kernel)
        if proc.poll() is not None:
            pytest.fail(f"{name} exited: {log_path.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"{name} did not start within 60 s")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(15)
    log.close()


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Voila server for every notebook; ``{url}voila/render/NAME.ipynb`` runs one."""
    arguments = ["voila", str(NOTEBOOKS), "--Voila.ip=127.0.0.1", "--show_tracebacks=True"]
    yield from serve(tmp_path_factory.mktemp("voila"), "voila", arguments)


@pytest.fixture(scope="module")
def binder_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Jupyter server at the repository's root with Voila as its extension, as Binder runs it:
    Binder's ``?urlpath=voila/tree/notebooks`` lands on ``{url}voila/tree/notebooks``."""
    arguments = [
        "jupyter_server",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        f"--ServerApp.root_dir={REPO}",
        "--allow-root",
    ]
    yield from serve(tmp_path_factory.mktemp("binder"), "jupyter_server", arguments)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for every test here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does this as root)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def screenshot(page: Any, path: Path) -> None:
    """The whole rendered notebook: Voila scrolls it inside ``#rendered_cells``, which ``full_page``
    does not see, so the viewport grows to the notebook's height first."""
    height = page.locator("#rendered_cells").evaluate("cells => cells.scrollHeight")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": max(height, 900)})
    page.screenshot(path=str(path), full_page=True)


#: How long Voila may take to run a notebook before its page arrives: the first kernel of a run
#: starts cold (the same 90 s the first expectation of each page allows).
RENDER_MS = 90_000


def open_page(page: Any, url: str) -> None:
    """Open ``url``; Voila sends the page once the notebook ran, so wait as the checks below do."""
    page.goto(url, wait_until="commit", timeout=RENDER_MS)


def test_quickstart_signs_in_and_follows_the_picker(voila_url: str, browser: Any, tmp_path: Path) -> None:
    expect = playwright_api.expect
    started = time.monotonic()
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    open_page(page, f"{voila_url}voila/render/01_quickstart.ipynb")
    expect(page.get_by_text("Sign in to Zoom")).to_be_visible(timeout=90_000)
    # No credentials here: the page signed in to the sandbox and says so.
    signed_in = page.locator(".widget-html-content", has_text="Signed in as Olivia Owner")
    expect(signed_in).to_be_visible(timeout=60_000)
    expect(signed_in).to_contain_text("to the built-in sandbox: a Zoom emulator on this machine")

    # The page starts with the most recent meeting; the sections below show it.
    expect(page.get_by_text("Loaded", exact=False).first).to_be_visible(timeout=60_000)
    glance = page.locator("table").filter(has_text="most present at once")
    expect(glance).to_contain_text("Stand-up that just ended", timeout=60_000)
    expect(glance).to_contain_text("America/New_York")
    first_summary = glance.inner_text()

    # Load a second meeting: every section follows it.
    meeting = page.locator("select").nth(0)
    expect(meeting.locator("option", has_text="Weekly team sync")).to_have_count(1)
    options = [text.replace("\xa0", " ") for text in meeting.locator("option").all_inner_texts()]
    weekly = next(i for i, text in enumerate(options) if text.startswith("Weekly team sync"))
    assert "4 sessions in range" in options[weekly]
    meeting.select_option(index=weekly)
    session = page.locator("select").nth(1)
    expect(session).to_be_enabled(timeout=30_000)
    expect(session.locator("option")).to_have_count(4)  # the sessions the label counts
    expect(page.get_by_text("Zoom has 6 in all")).to_be_visible()
    session.select_option(index=1)
    page.get_by_role("button", name="Load participants").click()
    expect(glance).to_contain_text("Weekly team sync", timeout=60_000)
    assert glance.inner_text() != first_summary
    expect(page.locator("table").filter(has_text="% of meeting")).to_have_count(1)  # redrawn, not added
    table = page.locator("table.zoom-pandas-participants")
    expect(table).to_be_visible()
    expect(table.locator("th").first).to_have_text("name")
    expect(table).to_contain_text("in_meeting")
    expect(page.locator('[data-mime-type="application/vnd.jupyter.stderr"]')).to_have_count(0)
    screenshot(page, tmp_path / "quickstart.png")

    # The sign-in panel: user OAuth shows the URL to register and a real link; back to the sandbox.
    page.get_by_role("button", name="User OAuth", exact=True).click()
    redirect = page.locator("input[aria-label^='1. Add this redirect URL']")
    expect(redirect).to_have_value("http://127.0.0.1/zoom-pandas/callback")
    expect(page.get_by_text("Enter your app's Client ID first.")).to_be_visible()
    expect(page.locator("a", has_text="Open Zoom sign-in")).to_have_count(0)  # no link without a Client ID
    page.get_by_placeholder("your OAuth app's Client ID").fill("myZoomAppClientId")
    link = page.locator("a", has_text="Open Zoom sign-in")
    expect(link).to_be_visible(timeout=30_000)
    expect(link).to_have_attribute("target", "_blank")
    href = link.get_attribute("href") or ""
    assert href.startswith("https://zoom.us/oauth/authorize?") and "client_id=myZoomAppClientId" in href
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"  # a button, not a link
    copy = page.locator("button[onclick*='navigator.clipboard']")  # its name changes once clicked
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "http://127.0.0.1/zoom-pandas/callback"
    label = page.get_by_text("Client secret", exact=True)
    assert label.evaluate("el => el.scrollWidth <= el.clientWidth")  # the label is not cut
    screenshot(page, tmp_path / "quickstart_user_oauth.png")
    page.get_by_role("button", name="Server-to-Server", exact=True).click()
    label = page.get_by_text("Client secret", exact=True)
    assert label.evaluate("el => el.scrollWidth <= el.clientWidth")  # not "Client sec…"
    expect(page.get_by_text("Enter your app's Client ID first.")).to_have_count(0)  # that tab's hint went
    screenshot(page, tmp_path / "quickstart_server_to_server.png")
    page.get_by_role("button", name="Sandbox", exact=True).click()
    expect(page.get_by_role("button", name="Use the sandbox")).to_be_visible()
    expect(signed_in).to_be_visible()  # still the sign-in in effect
    context.close()
    print(f"\nquickstart in the browser took {time.monotonic() - started:.1f} s; screenshots in {tmp_path}")


def test_attendance_tables_and_plots_in_a_real_browser(voila_url: str, browser: Any, tmp_path: Path) -> None:
    expect = playwright_api.expect
    started = time.monotonic()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    open_page(page, f"{voila_url}voila/render/02_attendance.ipynb")
    expect(page.get_by_text("signed in as owner@example.com")).to_be_visible(timeout=90_000)
    attendance = page.locator("table").filter(has_text="minutes present").first
    expect(attendance).to_be_visible(timeout=60_000)
    expect(attendance).to_contain_text("attended")
    expect(page.locator("table").filter(has_text="sessions attended").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("never came: also.absent@example.com, never.came@example.com")).to_be_visible(
        timeout=60_000
    )  # the last answer: the whole notebook has run
    plots = page.locator('img[src^="data:image/png"]')
    expect(plots).to_have_count(2)  # the timeline and the concurrency plot
    expect(plots.first).to_be_visible()
    assert plots.first.evaluate("img => img.naturalWidth") > 500  # a decoded image, not a broken one
    shot = tmp_path / "attendance.png"
    screenshot(page, shot)
    page.close()
    assert shot.stat().st_size > 10_000
    print(f"\nattendance in the browser took {time.monotonic() - started:.1f} s; screenshot: {shot}")


def test_no_admin_attendance_tables_in_a_real_browser(voila_url: str, browser: Any, tmp_path: Path) -> None:
    expect = playwright_api.expect
    started = time.monotonic()
    people = {
        row["user_email"] or row["name"]
        for instance in SandboxData().meetings[SandboxData.COURSE].instances
        for row in instance.rows()
    }
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    open_page(page, f"{voila_url}voila/render/03_no_admin.ipynb")
    expect(page.get_by_text(f"signed in as {SandboxData.TEACHER}")).to_be_visible(timeout=90_000)
    expect(page.get_by_text("time present agrees to the second")).to_be_visible(
        timeout=60_000
    )  # the last answer: the whole notebook has run
    expect(page.get_by_text(f"for {len(people)} of {len(people)} people")).to_be_visible()
    expect(page.get_by_text("Note: Zoom refused the participant report")).to_be_visible()
    expect(page.get_by_text("endpoint: past_meetings")).to_be_visible()
    expect(page.get_by_text("endpoint: csv")).to_be_visible()
    tables = page.locator("table").filter(has_text="sessions attended")
    expect(tables).to_have_count(2)  # the API's and the exports' attendance
    for table in tables.all():
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(len(people))
        expect(table).to_contain_text("ds.teacher@example.com")
    # No error and nothing on stderr (a warning box, a traceback).
    expect(page.locator('[data-mime-type="application/vnd.jupyter.stderr"]')).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    shot = tmp_path / "no_admin.png"
    screenshot(page, shot)
    page.close()
    assert shot.stat().st_size > 10_000
    print(f"\nno-admin notebook in the browser took {time.monotonic() - started:.1f} s; screenshot: {shot}")


def test_binder_addresses_open_the_notebooks_in_voila(binder_url: str, browser: Any) -> None:
    expect = playwright_api.expect
    started = time.monotonic()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    open_page(page, f"{binder_url}voila/tree")  # the README's address for Voila's file list
    page.get_by_text("notebooks", exact=True).click()
    for name in ("01_quickstart.ipynb", "02_attendance.ipynb", "03_no_admin.ipynb"):
        expect(page.get_by_text(name, exact=True)).to_be_visible(timeout=30_000)
    # The README's addresses (the badge's, and the one for 02), as Binder's urlpath lands on them.
    open_page(page, f"{binder_url}voila/render/notebooks/02_attendance.ipynb")
    expect(page.get_by_text("signed in as owner@example.com")).to_be_visible(timeout=90_000)
    expect(page.locator("table").filter(has_text="minutes present").first).to_be_visible(timeout=60_000)
    open_page(page, f"{binder_url}voila/render/notebooks/01_quickstart.ipynb")
    signed_in = page.locator(".widget-html-content", has_text="Signed in as Olivia Owner")
    expect(signed_in).to_be_visible(timeout=90_000)
    expect(page.locator("table.zoom-pandas-participants")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.close()
    print(f"\nBinder-style addresses in the browser took {time.monotonic() - started:.1f} s")
