"""Property-based tests of the HTTP API: schemathesis reads ``/api/openapi.json`` from a real
``newsindex serve`` and sends what it describes, and what it does not (negative cases: wrong
types, values out of range, unknown enum values, missing bodies), to every operation.

What an intranet developer checks: no parameter a client can send yields a 500 or a
traceback; every answer's status is one the description lists, in the content type it says,
with the body its schema describes; what the description forbids is refused (4xx); errors
are the JSON ``{error, message, status}``. One of schemathesis's checks is left out:
``positive_data_acceptance`` (every request the description allows succeeds), because a
query string is any string to OpenAPI but a language to us: ``published:abc`` is refused
with 400 by design, as is paging past ``max_result_window``.
"""

from __future__ import annotations

import pytest
import schemathesis
from conftest import WRITE_TOKEN
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.reliability

#: Cases per operation and generation mode: enough to reach every parameter's edges, few
#: enough for CI's two cores. Drawn the same way on every run (``derandomize``): schemathesis
#: 4.32.5 still reports some negative cases that serialise into valid query strings (a
#: one-item list sent as a string, an empty value for an integer allowed to be empty), so a
#: fresh draw each run could fail CI on a case the server answers correctly.
EXAMPLES = 25


@pytest.fixture(scope="session")
def api_schema(served_demo):
    return schemathesis.openapi.from_url(f"{served_demo}/api/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_any_request_the_description_allows_or_not_answers_without_a_500(case):
    headers = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    response = case.call_and_validate(
        headers=headers, excluded_checks=[schemathesis.checks.positive_data_acceptance]
    )
    assert response.status_code < 500
    if response.status_code >= 400:
        error = response.json()
        assert set(error) == {"error", "message", "status"}
        assert error["status"] == response.status_code and error["message"]
