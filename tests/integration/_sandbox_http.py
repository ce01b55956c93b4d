"""Plain-HTTP helpers for the sandbox tests: tokens, GETs, every page of a listing (bounded)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import requests

from tests.conftest import SHARED
from zoom_pandas.sandbox import Sandbox

SPEC = SHARED / "zoom" / "ZoomMeetingAPISpec.json"


def token_answer(sandbox: Sandbox) -> dict[str, Any]:
    """A Server-to-Server token answer (``access_token``, ``scope``, ...)."""
    creds = sandbox.credentials
    answer = requests.post(
        f"{sandbox.oauth_url}/token",
        data={"grant_type": "account_credentials", "account_id": creds.account_id},
        auth=(creds.client_id, creds.client_secret),
        timeout=10,
    )
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    return body


def bearer(sandbox: Sandbox) -> dict[str, str]:
    """A fresh Server-to-Server access token as an Authorization header."""
    return {"Authorization": f"Bearer {token_answer(sandbox)['access_token']}"}


def get(sandbox: Sandbox, path: str, auth: dict[str, str], **params: Any) -> requests.Response:
    """``GET {api_url}{path}`` (``path`` sent as it is: encode UUIDs first)."""
    return requests.get(f"{sandbox.api_url}{path}", headers=auth, params=params, timeout=10)


def every_page(
    sandbox: Sandbox, path: str, auth: dict[str, str], field: str, most: int = 100, **params: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow ``next_page_token`` (at most ``most`` pages): the records of ``field`` and every page."""
    records: list[dict[str, Any]] = []
    bodies: list[dict[str, Any]] = []
    token = ""
    for _ in range(most):
        answer = get(sandbox, path, auth, **params, **({"next_page_token": token} if token else {}))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        bodies.append(body)
        records += body[field]
        token = body["next_page_token"]
        if not token:
            return records, bodies
    raise AssertionError(f"{path} did not end within {most} pages")


@cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC.read_text())
    return spec


def validate(body: Any, path: str) -> None:
    """Check an answer against the 200 schema of ``path`` in Zoom's own spec."""
    schema = _spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())


def spec_fields(path: str, field: str) -> set[str]:
    """The item fields the spec lists for ``field`` of ``path``'s 200 answer."""
    schema = _spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return set(schema["properties"][field]["items"]["properties"])
