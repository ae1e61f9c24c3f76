"""Spam checks every new or edited comment passes through, each verdict a reason in the queue.

A checker is anything with a `name` and `check(comment, context) -> Verdict | None`. Two come
with us: `Heuristics` (a honeypot field, a minimum time to write, the same text on other
articles, links to domains moderators keep rejecting) and `Akismet` (services/akismet.py).
A site adds its own with COMMENTS_WIDGET_SPAM_CHECKERS = ["heuristics", "pkg.module:factory"],
the factory called with the app's config.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.models import Comment, LinkDomain, Reader, Status
from comments_widget.services.hold_reasons import HoldReason
from comments_widget.services.policy import Policy

logger = logging.getLogger(__name__)

HONEYPOT = "honeypot"
TOO_FAST = "too_fast"
DUPLICATE = "duplicate"
LINK_DOMAIN = "link_domain"
CHECKER = "checker"  # detail: "<checker name>: <what it said>"
SPAM_KINDS = (HONEYPOT, TOO_FAST, DUPLICATE, LINK_DOMAIN, CHECKER)

FLAGGED_STATUSES = (Status.REJECTED, Status.SPAM)
SHORTEST_FINGERPRINTED = 20  # "Great article!" on ten articles is not spam
_HREF = re.compile(r"""href=["']https?://([^/"'?#:\s]+)""", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class ClientInfo:
    """What the request says about who sent a comment, for the checkers."""

    ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    honeypot: str = ""  # our forms' hidden field: people leave it empty
    typing_ms: int | None = None  # our embed: from the first key press to Post; None: unknown


@dataclass(frozen=True)
class Submission:
    """What a checker sees of one comment, and of the request that brought it."""

    author: Reader
    body_source: str
    body_html: str
    article_url: str
    client: ClientInfo = ClientInfo()
    is_edit: bool = False
    thread_id: int | None = None


@dataclass(frozen=True)
class CheckContext:
    session: Session
    policy: Policy
    now: datetime


@dataclass(frozen=True)
class Verdict:
    """A checker's finding: hold for review, or (`spam`) straight to the Spam queue."""

    reason: HoldReason
    spam: bool = False


class SpamChecker(Protocol):
    name: str

    def check(self, comment: Submission, context: CheckContext) -> Verdict | None: ...


def fingerprint(source: str) -> str | None:
    """The text reduced to its words, hashed; None for texts too short to mean anything."""
    words = _NOT_WORD.sub(" ", source.casefold()).split()
    text = " ".join(words)
    if len(text) < SHORTEST_FINGERPRINTED:
        return None
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def link_domains(html: str) -> set[str]:
    """The domains a sanitised comment links to, lower-case, without "www."."""
    return {host.lower().removeprefix("www.").rstrip(".") for host in _HREF.findall(html)}


# Built once (constructing it on every post cost more than running it). Thread id 0 is no
# thread: a first comment's text is looked for on every article.
_ELSEWHERE = (sa.select(sa.func.count(sa.distinct(Comment.thread_id)))
              .where(Comment.fingerprint == sa.bindparam("mark"),
                     Comment.status != Status.DELETED,
                     Comment.created_at >= sa.bindparam("since", type_=Comment.created_at.type),
                     Comment.thread_id != sa.bindparam("thread_id")))


class Heuristics:
    """The built-in checks; none of them needs anything outside this database."""

    name = "heuristics"

    def check(self, comment: Submission, context: CheckContext) -> Verdict | None:
        for rule in (self._honeypot, self._too_fast, self._duplicate, self._link_domain):
            verdict = rule(comment, context)
            if verdict is not None:
                return verdict
        return None

    def _honeypot(self, comment: Submission, context: CheckContext) -> Verdict | None:
        if comment.client.honeypot.strip():
            return Verdict(HoldReason(HONEYPOT, "the hidden field was filled in"), spam=True)
        return None

    def _too_fast(self, comment: Submission, context: CheckContext) -> Verdict | None:
        least = context.policy.min_seconds_to_post * 1000
        typing = comment.client.typing_ms
        if typing is not None and 0 <= typing < least and not comment.is_edit:
            return Verdict(HoldReason(TOO_FAST, f"written in {typing / 1000:.1f} s"))
        return None

    def _duplicate(self, comment: Submission, context: CheckContext) -> Verdict | None:
        mark = fingerprint(comment.body_source)
        if mark is None:
            return None
        since = context.now - timedelta(days=context.policy.duplicate_days)
        elsewhere = context.session.scalar(_ELSEWHERE, {
            "mark": mark, "since": since, "thread_id": comment.thread_id or 0}) or 0
        if elsewhere >= context.policy.duplicate_threads:
            return Verdict(HoldReason(DUPLICATE, f"the same text is on {elsewhere} other "
                                                 f"article{'s' if elsewhere != 1 else ''}"))
        return None

    def _link_domain(self, comment: Submission, context: CheckContext) -> Verdict | None:
        threshold = context.policy.link_domain_threshold
        domains = link_domains(comment.body_html)
        if not threshold or not domains:
            return None
        bad = context.session.scalars(sa.select(LinkDomain.domain).where(
            LinkDomain.domain.in_(sorted(domains)), LinkDomain.flagged >= threshold)
            .order_by(LinkDomain.domain)).all()
        if bad:
            return Verdict(HoldReason(LINK_DOMAIN, ", ".join(bad)))
        return None


def run_checks(checkers: Iterable[SpamChecker], comment: Submission,
               context: CheckContext) -> list[Verdict]:
    """Every checker's verdict (a checker that raises is skipped, not fatal: a comment is
    never lost because a spam service is down; a database error is not a checker's and goes
    on up, to be answered as the outage it is)."""
    verdicts = []
    for checker in checkers:
        try:
            verdict = checker.check(comment, context)
        except sa.exc.SQLAlchemyError:
            raise  # our own database failing is an outage to report, not a checker's fault
        except Exception:
            logger.exception("comments_widget: spam checker %s failed; comment let through it",
                             getattr(checker, "name", checker))
            continue
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts


def record_decision(session: Session, comment: Comment, before: Status, after: Status) -> None:
    """Count the comment's link domains as flagged when moderators reject it or mark it as
    spam, and uncount them when that decision is reversed."""
    change = (after in FLAGGED_STATUSES) - (before in FLAGGED_STATUSES)
    if not change:
        return
    for domain in link_domains(comment.body_html):
        row = session.get(LinkDomain, domain)
        if row is None:
            row = LinkDomain(domain=domain, flagged=0)
            session.add(row)
        row.flagged = max(0, row.flagged + change)


def load_checkers(names: Sequence[str], config: Mapping[str, object]) -> tuple[SpamChecker, ...]:
    """The checkers COMMENTS_WIDGET_SPAM_CHECKERS names, in order."""
    from comments_widget.services.akismet import Akismet

    built_in: dict[str, Callable[[Mapping[str, object]], SpamChecker]] = {
        "heuristics": lambda _: Heuristics(), "akismet": Akismet.from_config}
    checkers = []
    for name in names:
        if name in built_in:
            checkers.append(built_in[name](config))
            continue
        module_name, _, attribute = name.partition(":")
        if not attribute:
            raise ValueError(f"COMMENTS_WIDGET_SPAM_CHECKERS: {name!r} is neither a built-in "
                             f"checker ({', '.join(built_in)}) nor 'package.module:factory'")
        factory = getattr(importlib.import_module(module_name), attribute)
        checkers.append(factory(config))
    return tuple(checkers)
