"""django-q2 tasks of the till side: thin kicks."""

from .services import captures_purge


def purge_captures() -> str:
    return f"{captures_purge()} capture images deleted"
