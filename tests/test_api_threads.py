"""Reading threads and counts: the public, same-for-everyone side of the API."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.models import Status, Thread
from tests.conftest import ARTICLE, SITE, create_reader, post, set_status, stored

THREADS = "/comments/api/v1/threads"
COUNTS = "/comments/api/v1/counts"


def read(client: FlaskClient, url: str = ARTICLE, **extra: str) -> dict:
    return client.get(THREADS, query_string={"url": url, **extra}).get_json()


def test_an_article_nobody_commented_on_has_no_thread_and_reading_creates_none(
    client: FlaskClient, session: Session
) -> None:
    assert read(client) == {"thread": None, "comments": [], "next": None}
    assert stored(session, Thread) == []


def test_thread_payload_nests_replies_and_names_authors(client: FlaskClient, auth: dict,
                                                        session: Session) -> None:
    from tests.conftest import bearer, name_thread

    grace = bearer(session, create_reader(session, "Grace"))
    first = post(client, auth, body="First").get_json()
    post(client, grace, body="Second")
    post(client, grace, body="Answer", parent_id=first["id"])
    name_thread(session, "The Putin and Kim Delegation")
    payload = read(client, ARTICLE + "/?utm_campaign=z")
    assert payload["thread"] == {"key": ARTICLE, "url": ARTICLE,
                                 "title": "The Putin and Kim Delegation", "comment_count": 3,
                                 "closed": False, "pinned_comment_id": None,
                                 "downvotes": False, "featured_count": 0, "authors_tag": ""}
    shape = [(c["author"]["name"], c["html"], [(r["author"]["name"], r["html"])
                                               for r in c["replies"]])
             for c in payload["comments"]]
    assert shape == [("Ada", "<p>First</p>", [("Grace", "<p>Answer</p>")]),
                     ("Grace", "<p>Second</p>", [])]


def test_readers_see_only_approved_comments(client: FlaskClient, auth: dict,
                                            session: Session) -> None:
    kept = post(client, auth, body="kept").get_json()
    for status in (Status.PENDING, Status.REJECTED, Status.SPAM, Status.DELETED):
        hidden = post(client, auth, body=status.value).get_json()
        set_status(session, hidden["id"], status)
    payload = read(client)
    assert [c["id"] for c in payload["comments"]] == [kept["id"]]
    assert payload["thread"]["comment_count"] == 1


def test_reader_email_never_appears_in_the_public_payload(client: FlaskClient,
                                                          auth: dict) -> None:
    post(client, auth, body="hello")
    assert b"ada@example.org" not in client.get(THREADS, query_string={"url": ARTICLE}).data


def test_explicit_thread_id_keeps_a_moved_article_in_one_thread(client: FlaskClient,
                                                                auth: dict) -> None:
    post(client, auth, body="before the move", url=f"{SITE}/old-slug", thread_id="article-42")
    payload = read(client, f"{SITE}/new-slug", thread_id="article-42")
    assert [c["html"] for c in payload["comments"]] == ["<p>before the move</p>"]
    assert read(client, f"{SITE}/new-slug")["thread"] is None


def test_reading_a_thread_of_a_disallowed_site_is_refused(client: FlaskClient) -> None:
    response = client.get(THREADS, query_string={"url": "https://evil.example/a"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "origin_not_allowed"


def test_reading_without_a_url_says_what_is_missing(client: FlaskClient) -> None:
    response = client.get(THREADS)
    assert (response.status_code, response.get_json()["error"]) == (400, "url_required")


def test_counts_answer_for_each_url_as_asked(client: FlaskClient, auth: dict,
                                             session: Session) -> None:
    post(client, auth, body="one")
    post(client, auth, body="two")
    hidden = post(client, auth, body="pending").get_json()
    set_status(session, hidden["id"], Status.PENDING)
    post(client, auth, body="other", url=f"{SITE}/other")
    decorated = ARTICLE + "?utm_source=home"
    response = client.get(COUNTS, query_string=[("url", ARTICLE), ("url", decorated),
                                                ("url", f"{SITE}/other"),
                                                ("url", f"{SITE}/quiet")])
    assert response.get_json() == {"counts": {ARTICLE: 2, decorated: 2, f"{SITE}/other": 1,
                                              f"{SITE}/quiet": 0}}


def test_counts_refuse_too_many_urls_and_foreign_sites(client: FlaskClient) -> None:
    many = [("url", f"{SITE}/{i}") for i in range(101)]
    assert client.get(COUNTS, query_string=many).get_json()["error"] == "too_many_urls"
    foreign = client.get(COUNTS, query_string={"url": "https://evil.example/"})
    assert (foreign.status_code, foreign.get_json()["error"]) == (403, "origin_not_allowed")
    assert client.get(COUNTS).get_json()["error"] == "url_required"
