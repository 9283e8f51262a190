"""A DRF serializer whose fields are copied shallowly for each request.

DRF deep-copies every declared field (re-running each field's constructor) whenever a serializer
is made: about 1 ms of the 5 ms an eligibility check costs (bench/serve_bench.py). A declared field
is configuration that validation only reads, so a shallow copy is enough for binding; nested
serializers get their own copy, and a list serializer its own child. Declare no mutable defaults
(`default=[]`): they would be shared between requests — use a callable (`default=list`).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def fresh(field: serializers.Field[Any, Any, Any, Any]) -> serializers.Field[Any, Any, Any, Any]:
    # What copy.copy does for these objects (a new instance, the attributes copied), without the
    # generic __reduce_ex__ path that cost a fifth of an eligibility check's field handling.
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    clone.__dict__.pop("fields", None)  # a nested serializer binds its own fields, to itself
    if isinstance(clone, serializers.ListSerializer) and clone.child is not None:
        clone.child = fresh(clone.child)
        clone.child.parent = clone  # the rest of the child's binding (its name, source) is the same
    return clone


class Serializer(serializers.Serializer[Any]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {name: fresh(field) for name, field in self._declared_fields.items()}
