"""The peer: dlt's ``rest_api`` source reading the same participant reports (run by ``many.py``).

Runs with dlt's own interpreter (``.venv-dlt/bin/python benchmarks/peer_dlt.py JOB.json``), not
with zoom_pandas' venv: it imports nothing from zoom_pandas. ``JOB.json`` holds ``api_url``,
``oauth_url``, ``account_id``, ``client_id``, ``client_secret``, ``uuids`` (the instance UUIDs),
``workdir`` (an empty temp folder) and ``parallelized`` (dlt's option to fetch a child resource's
items in its worker pool). It prints one JSON line of timings.

What it does, as a dlt user would: fetch a Server-to-Server Bearer token (POST
``{oauth_url}/token?grant_type=account_credentials&account_id=...`` with HTTP Basic); configure one
``rest_api`` child resource ``participants`` over ``report/meetings/{uuid}/participants?page_size=300``
whose ``{uuid}`` is resolved from a parent resource listing the (URL-encoded) UUIDs, paged by a
JSON-response cursor paginator (cursor ``next_page_token`` in the body and in the query); run the
pipeline into the ``filesystem`` destination as Parquet, timing extract, normalize and load apart.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import requests


def encoded(uuid: str) -> str:
    """Zoom's rule: double-encode a UUID that starts with "/" or contains "//"."""
    once = urllib.parse.quote(uuid, safe="")
    return urllib.parse.quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def main(job_path: str) -> None:
    with open(job_path) as handle:
        job: dict[str, Any] = json.load(handle)
    workdir = job["workdir"]
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DLT_DATA_DIR", os.path.join(workdir, "dlt-data"))
    started = time.perf_counter()
    import dlt
    from dlt.sources.rest_api import rest_api_source

    imported = time.perf_counter()
    token = requests.post(
        f"{job['oauth_url']}/token",
        params={"grant_type": "account_credentials", "account_id": job["account_id"]},
        auth=(job["client_id"], job["client_secret"]),
        timeout=30,
    ).json()["access_token"]

    @dlt.resource(name="instances", selected=False)
    def instances() -> Iterator[list[dict[str, str]]]:
        yield [{"uuid": uuid, "segment": encoded(uuid)} for uuid in job["uuids"]]

    participants: dict[str, Any] = {
        "name": "participants",
        "endpoint": {
            "path": "report/meetings/{segment}/participants",
            "params": {
                "page_size": 300,
                "segment": {"type": "resolve", "resource": "instances", "field": "segment"},
            },
            "data_selector": "participants",
            "paginator": {
                "type": "cursor",
                "cursor_path": "next_page_token",
                "cursor_param": "next_page_token",
            },
        },
        "include_from_parent": ["uuid"],
        "write_disposition": "append",
    }
    if job.get("parallelized"):
        participants["parallelized"] = True
    source = rest_api_source(
        {
            "client": {"base_url": job["api_url"] + "/", "auth": {"type": "bearer", "token": token}},
            "resources": [instances(), participants],
        }
    )
    pipeline = dlt.pipeline(
        pipeline_name="zoom_bench",
        pipelines_dir=os.path.join(workdir, "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=os.path.join(workdir, "lake")),
        dataset_name="zoom",
        progress="log" if job.get("verbose") else None,
    )
    configured = time.perf_counter()
    pipeline.extract(source, loader_file_format="parquet")
    extracted = time.perf_counter()
    normalize = pipeline.normalize()
    normalized = time.perf_counter()
    pipeline.load()
    loaded = time.perf_counter()
    rows = normalize.row_counts.get("participants", 0) if normalize is not None else 0
    print(
        json.dumps(
            {
                "rows": rows,
                "import_s": imported - started,
                "setup_s": configured - imported,
                "extract_s": extracted - configured,
                "normalize_s": normalized - extracted,
                "load_s": loaded - normalized,
                "run_s": loaded - configured,
                "total_s": loaded - started,
                "cpu_s": time.process_time(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
