"""The user-OAuth tab of ``LoginWidget``: what to register, a live link to Zoom, and the way back.

The link is a real ``<a target=_blank>``: Zoom's consent page needs a fresh ``state`` and PKCE
challenge, so the link is rebuilt whenever the Client ID or secret changes, and is ready before
the user reaches for it. Each link's sign-in attempt is kept by its ``state``, so an address that
comes back is completed by the attempt that produced it, even if a field changed meanwhile.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from typing import Any

from zoom_pandas.errors import AuthError
from zoom_pandas.scopes import HOST_SCOPES
from zoom_pandas.user_oauth import LoopbackRedirect, UserOAuth
from zoom_pandas.widgets._common import LABELS, error_line, widgets
from zoom_pandas.widgets._html import copy_field, disabled_link_button, link_button

__all__ = ["REDIRECT_PATH", "REDIRECT_URL", "UserOAuthPanel"]

#: The path the loopback listener answers on.
REDIRECT_PATH = "/zoom-pandas/callback"
#: The one redirect URL to register in the Zoom app: Zoom ignores the port of loopback redirect
#: URIs, so the listener may take any free port.
REDIRECT_URL = f"http://127.0.0.1{REDIRECT_PATH}"
#: How long one wait for the browser lasts, in seconds (the panel waits again while the link stands).
LISTEN_SECONDS = 3600.0
#: Sign-in attempts remembered by their state (older links are refused with a clear message).
_KEEP_ATTEMPTS = 16
_LINK_TEXT = "Open Zoom sign-in ↗"
_CREDENTIALS = "Zoom App Marketplace > Manage > your app > App Credentials"
_OPEN_FIRST = "Open the Zoom sign-in first (the button above), approve, then paste the address you land on"

#: Which scopes the user-OAuth app needs: an admin's report scope, or a host's own user-level ones.
SCOPES_HELP = (
    "<details><summary>Scopes to add to your app in the Zoom Marketplace</summary>"
    "<b>Admin</b> (every meeting of the account): <code>report:read:list_meeting_participants:admin</code> "
    "(classic apps: <code>report:read:admin</code>), <code>report:read:user:admin</code>, "
    "<code>meeting:read:past_meeting:admin</code>, <code>meeting:read:list_past_instances:admin</code>, "
    "<code>user:read:user:admin</code>.<br>"
    "<b>Host, no admin rights</b> (your own meetings): "
    + ", ".join(f"<code>{scope}</code>" for scope in HOST_SCOPES)
    + ". Reports are then read from your past meetings (no breakout rooms)."
    "</details>"
)


class UserOAuthPanel(widgets.VBox):  # type: ignore[misc]
    """Sign in as a Zoom user: authorization code with PKCE, the browser on this machine or not.

    Parameters
    ----------
    oauth_url : str
        Base of Zoom's OAuth endpoints.
    client_id : str
        Initial Client ID.
    finish : callable
        ``finish(auth)`` once Zoom's code became tokens: check the sign-in and make it the default.
    run : callable
        ``run(button, work)`` runs a click's work and shows its errors (the login widget's status).

    Attributes
    ----------
    auth : UserOAuth or None
        The attempt behind the link shown now.
    """

    def __init__(
        self,
        *,
        oauth_url: str,
        client_id: str,
        finish: Callable[[UserOAuth], None],
        run: Callable[[widgets.Button, Callable[[], object]], None],
    ) -> None:
        self._oauth_url = oauth_url
        self._finish = finish
        self._run = run
        self.auth: UserOAuth | None = None
        self._attempts: dict[str, UserOAuth] = {}
        self._listener: LoopbackRedirect | None = None
        self._quiet = False  # set while the widget itself changes a field
        wide = widgets.Layout(width="34em")
        self.redirect = widgets.HTML(
            copy_field(REDIRECT_URL, label="1. Add this redirect URL to your Zoom app:")
            + "<div style='color:#555;font-size:90%'>Zoom ignores the port of a 127.0.0.1 address, "
            "so this one address also covers the port the sign-in listens on.</div>"
        )
        self.client_id = widgets.Text(
            value=client_id,
            description="Client ID",
            placeholder="your OAuth app's Client ID",
            style=LABELS,
            layout=wide,
        )
        self.client_secret = widgets.Password(
            description="Client secret",
            placeholder="empty for a public (PKCE) client",
            style=LABELS,
            layout=wide,
        )
        self.link = widgets.HTML()
        self.pasted = widgets.Text(
            description="Address",
            placeholder="http://127.0.0.1/zoom-pandas/callback?code=…",
            style=LABELS,
            layout=wide,
        )
        self.finish_button = widgets.Button(description="Finish sign-in", button_style="primary")
        self.client_id.observe(self._changed, "value")
        self.client_secret.observe(self._changed, "value")
        self.finish_button.on_click(lambda _: self._run(self.finish_button, self.finish))
        self._show_link(None)
        super().__init__(
            [
                widgets.HTML(SCOPES_HELP),
                self.redirect,
                widgets.HTML("2. Your app's credentials:"),
                self.client_id,
                self.client_secret,
                widgets.HTML("3. Sign in at Zoom (a new tab) and approve:"),
                self.link,
                widgets.HTML(
                    "<div style='line-height:1.4'>4. Back here it finishes by itself when the browser "
                    "runs on this machine. Otherwise (Binder, Colab, a remote server) the page you land "
                    "on does not load: copy its address from the address bar into this box.</div>"
                ),
                widgets.HBox([self.pasted, self.finish_button]),
            ]
        )

    @property
    def url(self) -> str | None:
        """The Zoom consent-page address the link opens (None until a Client ID is given)."""
        return self._url

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self.prepare()

    def _show_link(self, url: str | None, problem: str | None = None) -> None:
        self._url = url
        if url is not None:
            self.link.value = link_button(url, _LINK_TEXT, title="Zoom's consent page, in a new tab")
        elif problem is not None:
            self.link.value = disabled_link_button(_LINK_TEXT, "") + error_line(ValueError(problem))
        else:
            self.link.value = disabled_link_button(_LINK_TEXT, "Enter your app's Client ID first.")

    def prepare(self) -> str | None:
        """Build a fresh sign-in attempt for the fields and show its link; None without a Client ID."""
        client_id = self.client_id.value.strip()
        if not client_id:
            self.auth = None
            self._show_link(None)
            return None
        try:
            if self._listener is None or self._listener.url is not None:  # none yet, or already used
                self._stop_listening()
                self._listener = LoopbackRedirect(path=REDIRECT_PATH)
                threading.Thread(
                    target=self._wait_for_browser, args=(self._listener,), name="zoom-login-wait", daemon=True
                ).start()
            auth = UserOAuth(
                client_id=client_id,
                client_secret=self.client_secret.value or None,
                oauth_url=self._oauth_url,
                redirect_uri=self._listener.redirect_uri,
            )
            url = auth.authorization_url()
        except Exception as exc:  # e.g. no free port, an unusable OAuth URL: shown where the link goes
            self.auth = None
            self._show_link(None, problem=f"Could not prepare the Zoom sign-in: {exc}")
            return None
        self.auth = auth
        self._attempts[_state(url)] = auth
        while len(self._attempts) > _KEEP_ATTEMPTS:
            del self._attempts[next(iter(self._attempts))]
        self._show_link(url)
        return url

    def _wait_for_browser(self, listener: LoopbackRedirect) -> None:
        """Finish by itself when Zoom's redirect reaches the listener (the browser is on this machine).

        Waits as long as this listener is the panel's: the link may be followed hours later.
        """
        while True:
            try:
                address = listener.wait(LISTEN_SECONDS)
                break
            except AuthError:  # closed (replaced, signed in), or nobody came back yet
                if listener is not self._listener:
                    return
        if listener is self._listener:
            self._run(self.finish_button, lambda: self.finish(address))

    def finish(self, address: str | None = None) -> None:
        """Complete the sign-in with the address Zoom redirected to (default: the pasted one).

        Raises
        ------
        ValueError
            No Client ID, no sign-in opened yet, or nothing pasted (checked before anything is sent).
        AuthError
            Zoom refused the code, or the address belongs to no attempt made here.
        """
        if not self.client_id.value.strip():
            raise ValueError(f"Enter your app's Client ID first ({_CREDENTIALS})")
        address = (self.pasted.value if address is None else address).strip()
        if not address:
            raise ValueError(
                "Paste the address your browser landed on after approving at Zoom "
                f"(it starts with {REDIRECT_URL})"
            )
        auth = self._attempts.get(_state(address), self.auth)
        if auth is None:
            raise ValueError(
                "Open the Zoom sign-in first (the button above), approve, then paste the address"
            )
        try:
            auth.complete(address)
            self._finish(auth)
        except Exception:
            self._attempts.pop(_state(address), None)  # its code is spent either way
            self.prepare()  # a fresh link for the next try
            raise
        self._stop_listening()
        self._attempts.clear()
        self._quiet = True
        try:
            self.pasted.value = ""
            self.client_secret.value = ""  # used: it is not left in the widget state
        finally:
            self._quiet = False
        self.link.value = (
            "<span style='color:#1b5e20'>✓ Signed in with this app.</span> "
            "<span style='color:#555'>Change the Client ID or secret to sign in again.</span>"
        )
        self._url = None

    def _stop_listening(self) -> None:
        if self._listener is not None:
            listener, self._listener = self._listener, None
            listener.close()

    def close(self) -> None:
        """Stop listening for the browser and close the widgets."""
        self._stop_listening()
        super().close()


def _state(address: str) -> str:
    """The ``state`` parameter of a consent-page or redirect address ("" when it has none)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(address.strip()).query)
    return query.get("state", [""])[0]
