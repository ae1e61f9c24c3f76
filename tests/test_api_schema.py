"""Generated requests against the published OpenAPI document, on the real app and database,
as a logged-in reader: never a server error, never an answer that breaks the document.

Every operation gets up to EXAMPLES generated cases (well over 1,000 in all); `make test-fuzz`
runs ten times as many.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis
import pytest
import schemathesis
from flask import Flask
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.conftest import ARTICLE, bearer, create_reader, post

EXAMPLES = int(os.environ.get("COMMENTS_WIDGET_FUZZ_EXAMPLES", "80"))


@pytest.fixture
def fuzzed_app(make_app: Any) -> Flask:
    return make_app(COMMENTS_WIDGET_POST_RATE_LIMIT="1000000/minute",
                    COMMENTS_WIDGET_LOGIN_RATE_LIMIT="1000000/minute",
                    COMMENTS_WIDGET_ACCOUNT_LOGIN_RATE_LIMIT="1000000/minute",
                    COMMENTS_WIDGET_FLAG_RATE_LIMIT="1000000/minute")


@pytest.fixture
def reader_headers(fuzzed_app: Flask) -> dict[str, str]:
    """A reader's token, and a thread with a few comments so that ids point somewhere."""
    with fuzzed_app.extensions["comments_widget"].session_factory() as session:
        headers = bearer(session, create_reader(session))
        other = bearer(session, create_reader(session, "Grace"))
    client = fuzzed_app.test_client()
    first = post(client, other, body="the first comment").get_json()["id"]
    post(client, headers, body="a reply", parent_id=first)
    post(client, headers, body="another", url=ARTICLE + "/2")
    return headers


@pytest.fixture
def api_schema(fuzzed_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/comments/api/v1/openapi.json", fuzzed_app)


def run_operation(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> int:
    """Up to EXAMPLES generated cases of one operation; returns how many ran."""
    ran = 0

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck),
                         phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink])
    def check(case: Any) -> None:
        nonlocal ran
        ran += 1
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS[mode])

    try:
        check()
    except hypothesis.errors.Unsatisfiable:
        # Only for NEGATIVE: an operation with no inputs has nothing to get wrong.
        assert mode is GenerationMode.NEGATIVE and ran == 0
    return ran


CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, response_schema_conformance],
    # Deliberately wrong requests: still never a 5xx, and every refusal in the error shape.
    GenerationMode.NEGATIVE: [not_a_server_error, response_schema_conformance],
}


def test_generated_requests_get_no_server_error_and_match_the_document(
    api_schema: Any, reader_headers: dict[str, str]
) -> None:
    counts: dict[str, int] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            counts[f"{operation.label} {mode.value}"] = run_operation(operation, mode,
                                                                     reader_headers)
    positive = [label for label in counts if label.endswith(" positive")]
    assert len(positive) == 18 and all(counts[label] for label in positive), counts
    assert sum(counts.values()) >= 1000, counts
    print(f"\n{sum(counts.values())} generated cases: {counts}")
