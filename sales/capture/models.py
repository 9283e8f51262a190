from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PassportCapture(models.Model):
    """A kept capture image (only when CAPTURE_KEEP_DAYS > 0), encrypted, deleted when due."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    image = models.BinaryField(_("image (encrypted)"))
    content_type = models.CharField(max_length=40)
    status = models.CharField(max_length=20)

    class Meta:
        verbose_name = _("passport capture")
        verbose_name_plural = _("passport captures")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"capture #{self.pk} {self.created_at:%Y-%m-%d %H:%M}"
