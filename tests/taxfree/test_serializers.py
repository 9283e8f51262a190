"""The shallow field copies of taxfree.serializers: each serializer binds its own fields."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rest_framework import serializers

from taxfree.serializers import Serializer


class Line(Serializer):
    name = serializers.CharField(max_length=5)
    quantity = serializers.IntegerField(min_value=1, default=1)


class Order(Serializer):
    lines = Line(many=True)
    note = serializers.CharField(default="")


def test_each_serializer_has_its_own_bound_fields():
    first, second = Order(data={}), Order(data={})
    assert first.fields["note"] is not second.fields["note"]
    assert first.fields["lines"].child is not second.fields["lines"].child
    assert first.fields["lines"].child.fields["name"].root is first
    assert second.fields["lines"].child.fields["name"].root is second
    assert Order._declared_fields["note"].parent is None  # the declaration itself is never bound


def test_validation_results_do_not_leak_between_serializers():
    good = Order(data={"lines": [{"name": "tea", "quantity": 2}]})
    bad = Order(data={"lines": [{"name": "toolong", "quantity": 0}]})
    assert good.is_valid() and good.validated_data["lines"] == [{"name": "tea", "quantity": 2}]
    assert not bad.is_valid()
    assert set(bad.errors["lines"][0]) == {"name", "quantity"}
    assert good.is_valid() and not good.errors


def test_threads_validating_at_once_each_get_their_own_answer():
    def check(n: int) -> int:
        order = Order(data={"lines": [{"name": f"x{n % 100}", "quantity": n}], "note": str(n)})
        assert order.is_valid(), order.errors
        assert order.validated_data["note"] == str(n)
        return order.validated_data["lines"][0]["quantity"]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(check, range(1, 2001))) == list(range(1, 2001))
