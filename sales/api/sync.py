"""`GET /api/v1/sales/?updated_after=<cursor>&store=<id>` (issue 28, item 3): every sale whose shown
state changed after the cursor, in (updated_at, id) order, 100 a page.

Never skipped: a change's `updated_at` is taken inside its transaction, before the commit, so a page
lists only changes older than SYNC_SETTLE_SECONDS (in-flight transactions have committed by then).
Never repeated: the cursor is the last (updated_at, id) answered and the next page starts strictly
after it; a sale is listed again only after it changed again."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

from sales.models import Sale
from stores.models import Store

PAGE = 100


class Synced(Protocol):
    """A row paged by its (updated_at, id): a sale, a product."""

    pk: Any
    updated_at: datetime


_R = TypeVar("_R", bound=Model)


def cursor_of(row: Synced) -> str:
    return base64.urlsafe_b64encode(f"{row.updated_at.isoformat()}|{row.pk}".encode()).decode()


def cursor_read(text: str) -> tuple[datetime, int]:
    """The (updated_at, id) a cursor holds; a 400 for anything else. `0` starts from the beginning."""
    if text == "0":
        return datetime(1970, 1, 1, tzinfo=UTC), 0
    try:
        at, pk = base64.urlsafe_b64decode(text.encode("ascii")).decode().split("|")
        when = parse_datetime(at)
        if when is None or when.tzinfo is None:
            raise ValueError(at)
        return when, int(pk)
    except (ValueError, UnicodeError, binascii.Error):
        raise exceptions.ValidationError({"updated_after": [_("Not a cursor this API answered.")]}) from None


def changed_sales(request: Request) -> tuple[list[Sale], str, bool]:
    """The page of sales changed after the cursor, the cursor to ask with next, and whether more are
    listable now."""
    sales = Sale.objects.visible_to(request.user)
    store = request.query_params.get("store")
    if store is not None:
        sales = sales.filter(store=visible_store(request, store))
    return changed_page(request, sales.select_related("record", "refund", "payout"))


def changed_page(request: Request, rows: QuerySet[_R]) -> tuple[list[_R], str, bool]:
    """The page of `rows` changed after the request's cursor (settled ones only), the next cursor, and
    whether more are listable now."""
    since = request.query_params.get("updated_after", "0")
    at, pk = cursor_read(since)
    settled = timezone.now() - timedelta(seconds=settings.SYNC_SETTLE_SECONDS)
    page = list(
        rows.filter(updated_at__lt=settled)
        .filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk))
        .order_by("updated_at", "pk")[: PAGE + 1]
    )
    more = len(page) > PAGE
    page = page[:PAGE]
    return page, cursor_of(page[-1]) if page else since, more  # type: ignore[arg-type]  # every synced model has updated_at


def visible_store(request: Request, text: str) -> Store:
    store = Store.objects.visible_to(request.user).filter(pk=int(text)).first() if text.isdigit() else None
    if store is None:
        raise exceptions.ValidationError({"store": [_("No store of yours has this id.")]})
    return store


def page_as_dict(results: list[dict[str, Any]], cursor: str, more: bool) -> dict[str, Any]:
    return {"results": results, "next_cursor": cursor, "has_more": more}
