"""Long exports: estimated first; above EXPORT_INLINE_ROWS a worker writes the file while the page
shows its progress, then offers the download. Short ones stream at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from stores.models import Store
from taxfree.queue import enqueue

from ..models import SaleItem
from ..refunds.models import Refund
from .formats import csv_chunks, xlsx_file
from .labels import in_language
from .ledgers import EXPORTS, Scope
from .models import ExportJob

PROGRESS_EVERY = 5_000


def estimate(scope: Scope, export: str) -> int:
    if export == "refunds":
        return Refund.objects.filter(sale__in=scope.sales()).count()
    if export == "sales-ledger":
        return SaleItem.objects.filter(sale__in=scope.sales()).count()
    return 0  # the summary is a few rows per store


def job_start(
    *,
    user: User,
    export: str,
    start: date,
    end: date,
    store: Store | None,
    format: str,
    encoding: str,
    rows: int,
    language: str = "ja",
) -> ExportJob:
    job = ExportJob.objects.create(
        user=user,
        export=export,
        rows_total=rows,
        params={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "store": store.pk if store else None,
            "format": format,
            "encoding": encoding,
            "language": language,
        },
    )
    enqueue("sales.exports.tasks.export_run", job.pk, task_name=f"export-{job.pk}")
    return job


def job_run(job_id: int) -> None:
    job = ExportJob.objects.get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING)
    p = job.params
    scope = Scope(
        get_user_model().objects.get(pk=job.user_id),
        date.fromisoformat(p["start"]),
        date.fromisoformat(p["end"]),
        p["store"],
    )
    path = directory() / f"{job.pk}.{p['format']}"
    try:
        rows = _counted(job, in_language(EXPORTS[job.export](scope), p.get("language", "ja")))
        if p["format"] == "xlsx":
            path.write_bytes(xlsx_file(rows, job.export).read())
        else:
            with path.open("wb") as out:
                for chunk in csv_chunks(rows, p["encoding"]):
                    out.write(chunk)
    except Exception as exc:  # the page says it failed; the worker's log has the traceback
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.DONE, file_name=path.name, finished_at=timezone.now(), rows_done=F("rows_total")
    )


def _counted(job: ExportJob, rows: Any) -> Any:
    for n, row in enumerate(rows, start=1):
        if n % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=n)
        yield row


def directory() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path
