"""`/api/v1/products/` (issue 28, item 3): the product master for a POS. Everyone with a token
reads the products of the businesses whose stores they see, changed since a cursor (as the sales'
sync: sales/api/sync.py); who may change products in the admin (compliance officers) creates and
replaces them, for the businesses they are an officer of, under the admin's limits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sales.choices import Category, LiquorCategory, TaxRate
from sales.models import Product
from sales.products import product_create, product_replace
from stores.models import Business, Store
from taxfree.fields import StrictIntegerField, TextField
from taxfree.idempotency import idempotent
from taxfree.openapi import IDEMPOTENCY_KEY, errors
from taxfree.roles import sees_all_stores
from taxfree.serializers import Serializer
from transmission.wire import limits

from .sync import PAGE, changed_page, page_as_dict, visible_store

LIMITS_DOC = (
    "Refused with 400 `invalid` and a message per field, as the admin's product form refuses: `name` at "
    "most 50 characters and 150 UTF-8 bytes of the NTA's character set, `jan_code` 8 or 13 digits with "
    f"a valid check digit (or empty, and unique in the business), `unit_price` integer yen 0 to {limits.MAX_YEN:,}, "
    "`alcohol_percent` 0 to 100 (one decimal), `detail_template` at most 80 characters."
)


class ProductFactsSerializer(Serializer):
    """What a POS writes (`PUT` replaces every fact: one left out takes its default)."""

    name = TextField(max_length=200)
    jan_code = TextField(max_length=13, allow_blank=True, default="")
    unit_price = StrictIntegerField(min_value=0, help_text="Integer yen.")
    price_includes_tax = serializers.BooleanField(default=True)
    tax_rate = serializers.ChoiceField(TaxRate.choices, default=TaxRate.STANDARD)
    category = serializers.ChoiceField(Category.choices, default=Category.GENERAL, help_text="Legacy regime.")
    liquor_category = serializers.ChoiceField(LiquorCategory.choices, allow_blank=True, default="")
    alcohol_percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, default=None)
    volume_ml = StrictIntegerField(min_value=1, allow_null=True, default=None)
    excluded = serializers.BooleanField(default=False, help_text="Never sold tax-free.")
    detail_template = TextField(max_length=80, allow_blank=True, default="", help_text="商品情報詳細.")
    serial_expected = serializers.BooleanField(default=False)
    active = serializers.BooleanField(default=True)


class ProductCreateSerializer(ProductFactsSerializer):
    store = StrictIntegerField(
        min_value=1, max_value=2**63 - 1, help_text="A store of yours: the product joins its business's master."
    )


class ProductSerializer(ProductFactsSerializer):
    id = serializers.IntegerField()
    business = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class ProductPageSerializer(Serializer):
    results = serializers.ListField(child=ProductSerializer())
    next_cursor = serializers.CharField(help_text="Ask with `updated_after=<next_cursor>` next time.")
    has_more = serializers.BooleanField(help_text="More changes are listable now: ask again at once.")


def product_as_dict(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "business": product.business_id,
        "name": product.name,
        "jan_code": product.jan_code,
        "unit_price": product.unit_price,
        "price_includes_tax": product.price_includes_tax,
        "tax_rate": product.tax_rate,
        "category": product.category,
        "liquor_category": product.liquor_category,
        "alcohol_percent": None if product.alcohol_percent is None else str(product.alcohol_percent),
        "volume_ml": product.volume_ml,
        "excluded": product.excluded,
        "detail_template": product.detail_template,
        "serial_expected": product.serial_expected,
        "active": product.active,
        "updated_at": product.updated_at,
    }


def readable(request: Request) -> QuerySet[Product]:
    if sees_all_stores(request.user):
        return Product.objects.all()
    return Product.objects.filter(business__in=Store.objects.visible_to(request.user).values("business"))


def writable_businesses(request: Request, change: str) -> QuerySet[Business]:
    """The businesses whose master the user may write: who may `change` products in the admin, for the
    businesses they are an officer of (as the webhook endpoints); 403 for anyone else."""
    user = request.user
    if not isinstance(user, User) or not user.has_perm(f"sales.{change}_product"):
        raise exceptions.PermissionDenied(_("You may not change the product master."))
    return Business.objects.all() if user.is_superuser else Business.objects.filter(officers=user)


EXAMPLE = {
    "store": 1,
    "name": "Junmai sake 720ml",
    "jan_code": "4901234567894",
    "unit_price": 3300,
    "price_includes_tax": True,
    "tax_rate": "standard",
    "category": "consumable",
    "liquor_category": "sake",
    "alcohol_percent": "15.5",
    "volume_ml": 720,
}


class ProductListView(APIView):
    @extend_schema(
        operation_id="v1_products_list",
        summary="Products changed since a cursor (incremental sync)",
        description=(
            f"The products of the businesses whose stores you see, changed after `updated_after`, oldest change "
            f"first, {PAGE} a page; as `GET /api/v1/sales/` pages: start with `updated_after=0`, then ask with "
            "`next_cursor`. A change made while you page comes in a later page, never skipped."
        ),
        parameters=[
            OpenApiParameter("updated_after", str, description="`0`, or the `next_cursor` you were answered."),
            OpenApiParameter("store", int, description="Only the products of this store's business."),
        ],
        responses={200: ProductPageSerializer, **errors(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        products = readable(request)
        store = request.query_params.get("store")
        if store is not None:
            products = products.filter(business=visible_store(request, store).business_id)
        page, cursor, more = changed_page(request, products)
        return Response(page_as_dict([product_as_dict(p) for p in page], cursor, more))

    @extend_schema(
        summary="Add a product to the master (compliance officers)",
        description=LIMITS_DOC + " 400 for a store of a business you are not an officer of.",
        request=ProductCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ProductSerializer, **errors(400, 401, 403, 409, 413, 422, 429)},
        examples=[OpenApiExample("A liquor product", value=EXAMPLE, request_only=True)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        businesses = writable_businesses(request, "add")
        serializer = ProductCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        facts = dict(serializer.validated_data)
        store = Store.objects.visible_to(request.user).filter(pk=facts.pop("store")).first()
        if store is None or not businesses.filter(pk=store.business_id).exists():
            raise exceptions.ValidationError({"store": [_("No store of yours has this id.")]})
        product = product_create(actor=request.user, business=store.business, facts=facts)
        return Response(product_as_dict(product), status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    @extend_schema(summary="One product", responses={200: ProductSerializer, **errors(401, 403, 404, 429)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(product_as_dict(get_object_or_404(readable(request), pk=pk)))

    @extend_schema(
        summary="Replace a product's facts (compliance officers)",
        description=LIMITS_DOC + " A field left out takes its default. 404 for a product of a business you "
        "are not an officer of. Sales already recorded keep the facts they were sold with.",
        request=ProductFactsSerializer,
        responses={200: ProductSerializer, **errors(400, 401, 403, 404, 413, 429)},
    )
    def put(self, request: Request, pk: int) -> Response:
        businesses = writable_businesses(request, "change")
        product = get_object_or_404(readable(request).filter(business__in=businesses), pk=pk)
        serializer = ProductFactsSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        product = product_replace(actor=request.user, product=product, facts=dict(serializer.validated_data))
        return Response(product_as_dict(product))
