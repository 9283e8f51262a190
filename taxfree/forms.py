"""Form fields under the project's one input rule for text (taxfree.text)."""

from __future__ import annotations

from typing import Any

from django import forms

from .text import clean_text


class TextField(forms.CharField):
    """NFC, control characters refused (TAB/LF/CR only when multi-line), lengths as declared."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value) or "", multiline=self.multiline)
