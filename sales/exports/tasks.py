"""django-q2 task of the exports: a thin call."""

from __future__ import annotations

from .jobs import job_run


def export_run(job_id: int) -> str:
    job_run(job_id)
    return f"export {job_id} written"
