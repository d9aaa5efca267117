"""Keyset pagination over (created_at, id), newest first: no OFFSET, so scrolling back
through a million rows costs the same as the first page."""

import base64
import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet


@dataclass
class Page:
    rows: list
    next_cursor: str


def _encode(row) -> str:
    """The cursor after `row`: a model instance, or a values() dict with created_at and id."""
    created_at, pk = (
        (row["created_at"], row["id"]) if isinstance(row, dict) else (row.created_at, row.pk)
    )
    raw = f"{created_at.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[datetime.datetime, int] | None:
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.datetime.fromisoformat(stamp), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def keyset_page(queryset: QuerySet, cursor: str = "", size: int = 50) -> Page:
    """One page of `queryset` (ordered -created_at, -id) after `cursor`; bad cursors start over.
    A values() queryset must include created_at and id."""
    position = _decode(cursor) if cursor else None
    if position:
        created_at, pk = position
        # The plain `created_at <= cursor` bound is what the index can seek to; without
        # it the OR below is a filter, and the scan walks every newer row to get there.
        queryset = queryset.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    rows = list(queryset.order_by("-created_at", "-pk")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_cursor=_encode(rows[-1]) if has_more else "")
