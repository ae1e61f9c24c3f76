"""The article's authors: the site names them, their comments carry an "Author" badge.

The site signs {"url": the article, "authors": [its user ids]} with its single sign-on
secret and puts it on the embed (`data-comments-authors`). The embed hands it over once,
when the thread does not carry that payload's tag yet; we check the signature with the
site's secret and that it names this very article, and keep the ids. An author is
recognised by the identity single sign-on gave them (provider "site:<origin>", their id at
the site), never by a name or an address.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.errors import Forbidden, InvalidInput, NotFound
from comments_widget.models import ExternalIdentity, Thread
from comments_widget.services import sites, versions
from comments_widget.services.single_sign_on import provider_for
from comments_widget.sso import read_article_authors
from comments_widget.urls import InvalidUrl, normalize_url, origin_of

TAG_LENGTH = 16


def name_authors(session: Session, key: str, page_url: str, payload: object) -> Thread:
    """Store the authors a site's signed payload names for the thread keyed `key`, shown on
    the page at `page_url`."""
    thread = session.scalar(sa.select(Thread).where(Thread.key == key))
    if thread is None:
        raise NotFound("Nobody has commented on this article yet.", code="unknown_thread")
    origin = origin_of(thread.url)
    site = sites.site_for(session, origin) if origin else None
    if site is None or not site.sso_secret:
        raise Forbidden(f"Single sign-on is not set up for {origin or 'this page'}; the "
                        "site's authors are named with its secret.", code="sso_not_configured")
    url, authors = read_article_authors(site.sso_secret, payload)
    try:
        same = normalize_url(url) == normalize_url(page_url)
    except InvalidUrl as error:
        raise InvalidInput("The authors' payload names no article.", code="sso_invalid") \
            from error
    if not same:
        raise InvalidInput("The authors' payload is for another article.", code="sso_invalid")
    tag = str(payload).strip()[-TAG_LENGTH:]
    if thread.authors_tag != tag:
        thread.author_subjects, thread.authors_tag = json.dumps(authors), tag
        versions.bump(session, [thread.id])
    session.flush()
    return thread


def author_ids(session: Session | sa.Connection, thread_url: str, subjects_json: str) -> set[int]:
    """Our reader ids of the article's authors who have signed in through the site."""
    subjects = json.loads(subjects_json or "[]")
    origin = origin_of(thread_url)
    if not subjects or origin is None:
        return set()
    return set(session.scalars(sa.select(ExternalIdentity.reader_id).where(
        ExternalIdentity.provider == provider_for(origin),
        ExternalIdentity.subject.in_(subjects))))
