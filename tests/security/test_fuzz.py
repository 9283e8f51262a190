"""The whole API fuzzed from its own OpenAPI schema (schemathesis): whatever is sent, no server
error and no answer that breaks the schema. Bounded and derandomized, so CI runs the same cases."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis
from schemathesis.checks import positive_data_acceptance

from taxfree.wsgi import application
from tests.factories import api_token

pytestmark = pytest.mark.django_db
EXAMPLES = 25  # per operation


@pytest.fixture
def keep_the_test_transaction():
    """As Django's test client does: the test's transaction must survive the end of each request."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def test_no_input_breaks_the_api(clerk, store, settings, keep_the_test_transaction):
    settings.DEBUG = True  # the schema itself is open in development only
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    headers = {"Authorization": f"Token {api_token(clerk)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {
        "POST /api/v1/eligibility/",
        "POST /api/v1/sales/",
        "GET /api/v1/sales/{id}/",
        "POST /api/v1/captures/",
    }
    for operation in operations:
        fuzz(operation, headers)


def fuzz(operation, headers: dict[str, str]) -> None:
    @given(operation.as_strategy())
    @hypothesis(
        max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def call(case):
        # A schema-valid request may still be refused by a rule the schema cannot say (an image or a
        # text, not neither): what is checked is no 5xx and answers that keep to the schema.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    call()
