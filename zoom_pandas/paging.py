"""``next_page_token`` paging: the one loop every paged endpoint goes through.

Each body is kept as bytes and only its paging fields are read here (a regex over bytes); the rows
are parsed later, all pages together, by :func:`zoom_pandas.page_table.pages_table`, which also checks
each token read here against its full parse.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import PaginationError, ZoomAPIError
from zoom_pandas.page_table import grouped_pages_tables, pages_table
from zoom_pandas.ratelimit import RateLabel
from zoom_pandas.schema import FieldMap

__all__ = ["PAGE_SIZE", "Page", "PageTokenExpired", "parse_grouped", "parse_pages", "read_pages", "scan_page"]

#: Zoom's largest page size for report and list endpoints.
PAGE_SIZE = 300
#: The most pages one listing may take when Zoom announces no ``total_records`` (3 million rows
#: at 300 a page; a real report is a few hundred pages at most).
MAX_PAGES = 10_000

# A JSON string cannot hold an unescaped quote, so this can only match a key.
_TOKEN = re.compile(rb'"next_page_token"\s*:\s*"((?:[^"\\]|\\.)*)"')
_NUMBER = {
    key: re.compile(rb'"' + key + rb'"\s*:\s*(-?\d{1,18})\b') for key in (b"total_records", b"page_size")
}


@dataclasses.dataclass(frozen=True)
class Page:
    """One raw page and what paging needs from it.

    Parameters
    ----------
    body : bytes
        The response body, parsed later together with the other pages.
    next_page_token : str
        Empty on the last page.
    total_records : int or None
        How many rows Zoom says the whole listing has.
    page_size : int or None
        The page size Zoom applied.
    """

    body: bytes
    next_page_token: str
    total_records: int | None
    page_size: int | None

    @property
    def page_count(self) -> int | None:
        """Pages the whole listing needs at this page size, derived from ``total_records``."""
        if self.total_records is None or not self.page_size:
            return None
        return max(1, math.ceil(self.total_records / self.page_size))


def scan_page(body: bytes) -> Page:
    """Read just the paging fields of a page body, without parsing its rows.

    Raises
    ------
    ValueError
        When the page token is not a valid JSON string.
    """
    token = _TOKEN.search(body)
    numbers = {key: pattern.search(body) for key, pattern in _NUMBER.items()}
    total, size = numbers[b"total_records"], numbers[b"page_size"]
    next_token = json.loads(b'"' + token.group(1) + b'"') if token else ""
    return Page(
        body=body,
        next_page_token=next_token if isinstance(next_token, str) else "",
        total_records=int(total.group(1)) if total else None,
        page_size=int(size.group(1)) if size else None,
    )


class PageTokenExpired(Exception):
    """A ``next_page_token`` was refused (400, code 300); the caller may restart from page one."""

    def __init__(self, error: ZoomAPIError) -> None:
        super().__init__(str(error))
        self.error = error


def read_pages(
    client: ZoomClient,
    path: str,
    params: Mapping[str, Any],
    *,
    label: RateLabel,
    on_page: Callable[[Page], None] | None = None,
) -> list[Page]:
    """GET page after page until the token is empty.

    Parameters
    ----------
    client : ZoomClient
        The connection.
    path : str
        The encoded path.
    params : mapping
        Query parameters of the first page (``page_size`` among them).
    label : {"Light", "Medium", "Heavy"}
        Zoom's rate-limit label of the endpoint.
    on_page : callable, optional
        Called with each page as it arrives (progress bars).

    Returns
    -------
    list of Page

    Raises
    ------
    PaginationError
        When a token comes back a second time, or more pages come than ``total_records`` allows.
    PageTokenExpired
        When Zoom refuses a page token as expired (code 300).
    """
    pages: list[Page] = []
    seen: set[str] = set()
    query = dict(params)
    while True:
        try:
            response = client.get(path, query, label=label)
        except ZoomAPIError as exc:
            # Every request after the first carries a page token; code 300 there means it expired.
            if pages and exc.status_code == 400 and exc.code == 300:
                raise PageTokenExpired(exc) from exc
            raise
        try:
            page = scan_page(response.content)
        except ValueError as exc:
            raise ZoomAPIError(200, None, f"GET {path}: unreadable next_page_token") from exc
        if (page.total_records or 0) < 0 or (page.page_size or 0) < 0:
            raise ZoomAPIError(200, None, f"GET {path}: a negative total_records or page_size")
        pages.append(page)
        if on_page is not None:
            on_page(page)
        token = page.next_page_token
        if not token:
            return pages
        if token in seen:
            raise PaginationError(
                f"GET {path} returned a page token a second time after page {len(pages)}; "
                "stopped instead of looping"
            )
        allowed, announced = _pages_allowed(pages, query.get("page_size"))
        if len(pages) >= allowed:
            raise PaginationError(
                f"GET {path} offered page {len(pages) + 1} although "
                + (
                    f"its total_records fit in {allowed} page(s)"
                    if announced
                    else f"no listing is longer than {MAX_PAGES} pages"
                )
                + "; stopped instead of looping"
            )
        seen.add(token)
        query["next_page_token"] = token


def parse_pages(
    pages: list[Page], fields: FieldMap, path: str, stamp: Mapping[str, Any] | None = None
) -> pa.Table:
    """Parse pages together into one typed table; the tokens read while paging must match the parse.

    Raises
    ------
    ZoomAPIError
        For a 200 answer that is not such a page, or whose tokens disagree with the full parse.
    """
    try:
        table, tokens = pages_table([page.body for page in pages], fields, stamp)
    except (ValueError, OverflowError) as exc:
        raise ZoomAPIError(200, None, f"GET {path}: malformed answer: {exc}") from exc
    if tokens != [page.next_page_token for page in pages]:
        raise ZoomAPIError(200, None, f"GET {path}: page tokens disagree with the parsed pages")
    return table


def parse_grouped(
    groups: Sequence[Sequence[Page]], fields: FieldMap, stamps: Sequence[Mapping[str, Any]]
) -> list[pa.Table]:
    """Parse the pages of several listings in one read (see :func:`parse_pages`), one table each.

    Raises
    ------
    ZoomAPIError
        When any page is malformed or its tokens disagree (parse the listings one by one with
        :func:`parse_pages` to tell which).
    """
    try:
        tables, tokens = grouped_pages_tables([[p.body for p in pages] for pages in groups], fields, stamps)
    except ValueError as exc:
        raise ZoomAPIError(200, None, f"malformed answer: {exc}") from exc
    if tokens != [[page.next_page_token for page in pages] for pages in groups]:
        raise ZoomAPIError(200, None, "page tokens disagree with the parsed pages")
    return tables


def _pages_allowed(pages: list[Page], asked_size: object) -> tuple[int, bool]:
    """The most pages the listing may take, and whether Zoom's ``total_records`` said so.

    The largest ``total_records`` announced so far (a provisional report may grow while it is
    read), filled at the page size Zoom applied; never more than :data:`MAX_PAGES`, which is what
    stops a server that raises its total page after page.
    """
    totals = [page.total_records for page in pages if page.total_records is not None]
    size = pages[0].page_size or (asked_size if isinstance(asked_size, int) else None)
    if not totals or not size:
        return MAX_PAGES, False
    needed = max(1, math.ceil(max(totals) / size))
    return min(MAX_PAGES, needed), needed <= MAX_PAGES
