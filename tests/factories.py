from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth.models import Group, User

from sales.models import Customer, IdentityDocument, Product
from stores.models import Business, Store
from taxfree import roles


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Business {n}")
    corporate_number = None
    is_taxable = True
    tax_payment_place = "東京都千代田区1-1"
    tax_office = "麹町税務署"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    address = "東京都千代田区1-1"
    manager_name = "Manager"
    permit_date = date(2024, 1, 1)
    identifier = factory.Sequence(lambda n: f"{n + 1:021d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            self.is_staff = extracted != roles.STORE_STAFF
        self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    family_name = "SAMPLE"
    given_names = "ALEX"
    nationality = "USA"
    birth_date = date(1990, 1, 1)
    sex = "X"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityDocument

    customer = factory.SubFactory(CustomerFactory)
    document_type = "passport"
    number = factory.Sequence(lambda n: f"TK{n:07d}")
    status_of_residence = "temporary_visitor"
    landing_date = date(2026, 11, 15)
    has_landing_stamp = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_price = 11_000
    price_includes_tax = True
