"""API fields under the project's input rules: strict integers and ids, clean text."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from .text import clean_text


class StrictIntegerField(serializers.IntegerField):
    """An integer, not 1.5 nor true nor "1.0": ids and amounts mean exactly what they say."""

    def to_internal_value(self, data: Any) -> int:
        if (
            isinstance(data, bool)
            or not isinstance(data, int | str)
            or (isinstance(data, str) and not data.strip().lstrip("-").isdigit())
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(serializers.CharField):
    """Text under the one input rule of taxfree.text: NFC, no control characters."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return clean_text(value, multiline=self.multiline)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.messages) from None


@extend_schema_field(OpenApiTypes.INT)
class StrictPrimaryKeyField(serializers.PrimaryKeyRelatedField[Any]):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data < 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
