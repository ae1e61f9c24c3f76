"""Queue search through the full-text index (PostgreSQL GIN, SQLite FTS5), by word or the start
of one, and by author; whatever a moderator types never breaks the query."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Status
from tests.conftest import bearer, create_reader, post, set_status

QUEUE = "/comments/admin/queue/approved"


def found(admin_client: FlaskClient, query: str, queue: str = QUEUE) -> list[int]:
    page = admin_client.get(queue, query_string={"q": query})
    assert page.status_code == 200
    return [int(i) for i in re.findall(r'data-id="(\d+)"', page.get_data(as_text=True))]


@pytest.fixture
def comments(client: FlaskClient, auth: dict, session: Session) -> dict[str, int]:
    other = bearer(session, create_reader(session, "Zoë Quill", "zoe@example.org"))
    bodies = {"summit": "The summit in Vladivostok was about **railways**.",
              "viagra": "Cheap VIAGRA pills, order today",
              "german": "Schöne Grüße aus Berlin",
              "zoe": "A plain remark"}
    ids = {key: post(client, other if key == "zoe" else auth, body=body).get_json()["id"]
           for key, body in bodies.items()}
    return ids


def test_words_are_found_whole_or_by_their_start_in_any_case(
    admin_client: FlaskClient, comments: dict[str, int]
) -> None:
    assert found(admin_client, "vladivostok") == [comments["summit"]]
    assert found(admin_client, "Rail") == [comments["summit"]]  # the start of "railways"
    assert found(admin_client, "viag order") == [comments["viagra"]]  # every word must match
    assert found(admin_client, "viagra summit") == []
    assert found(admin_client, "grüße") == [comments["german"]]
    assert found(admin_client, "Zoë") == [comments["zoe"]]  # the author's name
    assert found(admin_client, "zoe@example") == [comments["zoe"]]  # the author's address


def test_the_index_follows_edits(
    client: FlaskClient, auth: dict, admin_client: FlaskClient, comments: dict[str, int]
) -> None:
    client.patch(f"/comments/api/v1/comments/{comments['summit']}",
                 json={"body": "Now about tramways"}, headers=auth)
    assert found(admin_client, "vladivostok") == []
    assert found(admin_client, "tramways") == [comments["summit"]]


def test_search_works_in_every_queue(
    admin_client: FlaskClient, comments: dict[str, int], session: Session
) -> None:
    set_status(session, comments["viagra"], Status.SPAM)
    assert found(admin_client, "viagra") == []
    assert found(admin_client, "viagra", "/comments/admin/queue/spam") == [comments["viagra"]]


@pytest.mark.parametrize("query", [
    '"', "'", "*", "viagra*", '"viagra', "AND", "OR NOT", "NEAR(a b)", "a:*", "a & b | !c",
    "(((", "\\", "%", "_", "col:viagra", "^viagra", "viagra -summit", "🙂", "x" * 500,
    "one two three four five six seven eight nine ten eleven"])
def test_whatever_is_typed_the_search_answers(
    admin_client: FlaskClient, comments: dict[str, int], query: str
) -> None:
    result = found(admin_client, query)
    assert set(result) <= set(comments.values())
