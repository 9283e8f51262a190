"""Passport capture: read an uploaded image or scanner text, keep the image only if configured."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from taxfree.crypto import encrypt_bytes, fernet
from taxfree.models import AuditAction, audit
from taxfree.roles import Actor

from .models import PassportCapture
from .mrz import parse, reader

FIELDS = (
    "document_number",
    "issuer",
    "nationality",
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "expiry_date",
    "personal_number",
)


def capture_text(text: str) -> dict[str, Any]:
    started = timezone.now()
    result = parse.parse_typed(text, timezone.localdate())
    return _response(result, (timezone.now() - started).total_seconds() * 1000)


def capture_image(*, actor: Actor, data: bytes, content_type: str) -> dict[str, Any]:
    """Raises reader.ImageError for what is not a readable image; the caller answers 400."""
    result, elapsed = reader.read(data, timezone.localdate())
    body = _response(result, elapsed)
    if settings.CAPTURE_KEEP_DAYS > 0:
        body["capture_id"] = _keep(actor, data, content_type, result.status)
    return body


def _keep(actor: Actor, data: bytes, content_type: str, status: str) -> int:
    kept = PassportCapture.objects.create(
        created_by=actor if isinstance(actor, User) else None,
        image=encrypt_bytes(data),
        content_type=content_type,
        status=status,
    )
    return kept.pk


def _response(result: parse.Result, elapsed_ms: float) -> dict[str, Any]:
    fields = {key: result.fields.get(key) for key in FIELDS}
    fields["document_code"] = result.fields.get("document_code")
    body = result.as_dict()
    plain = failed_check_notes(result.checks) | notes(result.doubts)
    body.update(fields=fields, elapsed_ms=round(elapsed_ms, 1), notes=plain)
    return body


def notes(doubts: dict[str, list[tuple[int, str]]]) -> dict[str, str]:
    """What staff should compare with the document, in plain words, per form field."""
    out = {}
    for key, places in doubts.items():
        if key == "name":
            out["surname"] = out["given_names"] = _(
                "The name is too small or unclear in this picture to be sure of every letter: compare it "
                "with the document letter by letter, or take a closer photo."
            )
        elif places:
            alike: dict[str, list[str]] = {}
            for n, choices in places:
                alike.setdefault(choices, []).append(str(n))
            which = "; ".join(
                ngettext("character %(n)s: %(choices)s", "characters %(n)s: %(choices)s", len(numbers))
                % {"n": ", ".join(numbers), "choices": _(" or ").join(str(_KINDS.get(c, c)) for c in choices)}
                for choices, numbers in alike.items()
            )
            out[key] = _("Compare these characters with the document — %(which)s.") % {"which": which}
    return out


# The form fields each check digit covers (ICAO 9303 part 3, 4.9): the composite covers the number,
# both dates and the optional data.
CHECK_COVERS = {
    "document_number": ("document_number",),
    "birth_date": ("birth_date",),
    "expiry_date": ("expiry_date",),
    "composite": ("document_number", "birth_date", "expiry_date"),
}


def failed_check_notes(checks: dict[str, bool]) -> dict[str, str]:
    """The form fields a failing check digit covers, each with what to do, in plain words."""
    out: dict[str, str] = {}
    for check, covered in CHECK_COVERS.items():
        if checks.get(check) is False:
            for key in covered:
                out.setdefault(
                    key,
                    _(
                        "A check digit does not match this field: compare it with the document character "
                        "by character and correct it here, or scan again."
                    ),
                )
    return out


_KINDS = {
    "0": gettext_lazy("the digit 0"),
    "O": gettext_lazy("the letter O"),
    "1": gettext_lazy("the digit 1"),
    "I": gettext_lazy("the letter I"),
    "8": gettext_lazy("the digit 8"),
    "B": gettext_lazy("the letter B"),
    "5": gettext_lazy("the digit 5"),
    "S": gettext_lazy("the letter S"),
    "2": gettext_lazy("the digit 2"),
    "Z": gettext_lazy("the letter Z"),
}


@transaction.atomic(durable=True)
def captures_purge(now: datetime | None = None, *, actor: Actor = None) -> int:
    """Delete kept capture images older than CAPTURE_KEEP_DAYS (all of them when keeping is off);
    a purge that deleted any writes one audit row with the count and the cut-off."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=max(settings.CAPTURE_KEEP_DAYS, 0))
    deleted, _ = PassportCapture.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        audit(actor, AuditAction.CAPTURES_PURGE, PassportCapture, f"{deleted} images", cutoff=cutoff.isoformat())
    return deleted


def captures_rotate() -> int:
    """Kept images under the current key (`rotate_field_keys`)."""
    count = 0
    for capture in PassportCapture.objects.only("pk", "image").iterator():
        PassportCapture.objects.filter(pk=capture.pk).update(image=fernet().rotate(bytes(capture.image)))
        count += 1
    return count
