"""Tables: readers, their API tokens, threads and comments."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, SQLite included."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use comments_widget.models.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_session_id() -> str:
    """A fresh, unguessable reader session identifier."""
    return secrets.token_urlsafe(24)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Role(enum.StrEnum):
    READER = "reader"
    MODERATOR = "moderator"
    ADMIN = "admin"


class Status(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    DELETED = "deleted"


def _enum(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    # Stored as the lower-case value, checked by a named constraint on every backend.
    return sa.Enum(enum_class, name=name, native_enum=False, create_constraint=True, length=16,
                   values_callable=lambda members: [member.value for member in members])


class Reader(Base):
    __tablename__ = "comments_widget_readers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for readers who only ever sign in elsewhere (single sign-on, the host's own users):
    # they have no password here, and an address is never how we recognise them.
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True, default=None)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.READER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ban_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # Carried by every first-party session and remember cookie of this reader; replaced on
    # logout, password change, ban and role change, which ends all of them at once.
    session_id: Mapped[str] = mapped_column(sa.String(64), default=new_session_id)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Email preference: moderators and admins get the digest of held comments unless they opt out.
    digest_emails: Mapped[bool] = mapped_column(default=True)
    # Email preference: tell me when a moderator approves or rejects my held comment (opt-in).
    moderation_emails: Mapped[bool] = mapped_column(default=False)
    # Email me replies to my comments; None: the site's default (COMMENTS_WIDGET_REPLY_EMAILS).
    reply_emails: Mapped[bool | None] = mapped_column(default=None)
    # A picture the site gave us through single sign-on (https only); None: our identicon.
    avatar_url: Mapped[str | None] = mapped_column(sa.String(500), default=None)
    # An author brought in by an import (no email of ours, no password, no way to log in):
    # the SHA-256 of their lower-cased address, so whoever verifies it can claim the comments.
    imported_email_hash: Mapped[str | None] = mapped_column(sa.String(64), default=None,
                                                            index=True)
    # The reader asked for their account to be erased (or an admin did it for them): the row
    # stays only so their comments keep their place, with nothing that identifies anyone.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    def is_banned(self, now: datetime | None = None) -> bool:
        """Banned now: a ban with no end date, or one that has not ended yet."""
        if self.banned_at is None:
            return False
        return self.banned_until is None or self.banned_until > (now or utcnow())

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_external(self) -> bool:
        """Signs in only through another system (no email and password of ours)."""
        return self.email is None


class ExternalIdentity(Base):
    """Who a reader is elsewhere: a news site's user id (SSO, the Flask host) or an OpenID
    subject. Readers are found by (provider, subject), never by the email that came along."""

    __tablename__ = "comments_widget_identities"
    __table_args__ = (sa.UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="CASCADE"), index=True)
    # "site:<origin>" for a site's single sign-on, "host" for the Flask host's own users.
    provider: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(255))
    # The address the other system gave, for notifications; never used to log in.
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reader: Mapped[Reader] = relationship(lazy="joined")


class AuthToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no usable token."""

    __tablename__ = "comments_widget_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    reader: Mapped[Reader] = relationship(lazy="joined")


class Thread(Base):
    __tablename__ = "comments_widget_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(2000), unique=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Plain column, not a foreign key: a thread and its comments would otherwise reference
    # each other, which SQLite's table rebuilds and bulk deletes handle badly.
    pinned_comment_id: Mapped[int | None] = mapped_column(default=None)
    # Bumped by every change a reader could see; the public payload's ETag is built from it.
    version: Mapped[int] = mapped_column(default=0)
    # Visible comments, recounted whenever the version moves on (see services/versions.py).
    comment_count: Mapped[int] = mapped_column(default=0)
    # The surge shield (services/surge.py): since when the thread holds every new comment,
    # why, and when it was last found still busy (it switches back after a quiet period).
    surge_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    surge_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    surge_busy_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Visible top-level comments the editors featured (the embed offers a "Featured" view).
    featured_count: Mapped[int] = mapped_column(default=0)
    # The article's authors, named by the site in a signed payload (services/article_authors):
    # their user ids at the site, as JSON, and the tail of that payload's signature.
    author_subjects: Mapped[str] = mapped_column(sa.Text, default="[]")
    authors_tag: Mapped[str] = mapped_column(sa.String(16), default="")


class StoredPage(Base):
    """A thread's first page exactly as the public API answers it, under its ETag.

    Rebuilt by the first read after the thread's version moves on; a cold thread is then
    answered with one indexed lookup (views/first_pages.py). Only a cache: losing it loses nothing.
    """

    __tablename__ = "comments_widget_stored_pages"

    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_threads.id", ondelete="CASCADE"), primary_key=True)
    etag: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)


class Comment(Base):
    __tablename__ = "comments_widget_comments"
    __table_args__ = (
        sa.Index("ix_comments_widget_comments_thread_created", "thread_id", "status",
                 "created_at"),
        sa.Index("ix_comments_widget_comments_status_id", "status", "id"),
        sa.Index("ix_comments_widget_comments_review_id", "needs_review", "id"),
        # A page of top-level comments in id order (partial, so a thread with ten comments
        # never walks the whole table), then all their replies by root: two index ranges.
        sa.Index("ix_comments_widget_comments_thread_top", "thread_id", "id",
                 postgresql_where=sa.text("parent_id IS NULL"),
                 sqlite_where=sa.text("parent_id IS NULL")),
        sa.Index("ix_comments_widget_comments_thread_root", "thread_id", "root_id"),
        # A page of top-level comments by rank ("best"), keyset on (rank, id).
        sa.Index("ix_comments_widget_comments_thread_best", "thread_id", "rank", "id",
                 postgresql_where=sa.text("parent_id IS NULL"),
                 sqlite_where=sa.text("parent_id IS NULL")),
        # The few comments readers have not been told about yet (reply and follow emails).
        sa.Index("ix_comments_widget_comments_unannounced", "id",
                 postgresql_where=sa.text("announced_at IS NULL"),
                 sqlite_where=sa.text("announced_at IS NULL")),
        # Only fingerprinted comments (most are too short to be): with the NULLs in it, the
        # planner's statistics said "a million rows per value" and SQLite scanned the table
        # for every duplicate check (330 ms a post at 1M comments).
        sa.Index("ix_comments_widget_comments_fingerprint", "fingerprint",
                 postgresql_where=sa.text("fingerprint IS NOT NULL"),
                 sqlite_where=sa.text("fingerprint IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_threads.id", ondelete="CASCADE")
    )
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments_widget_comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="CASCADE"), index=True
    )
    depth: Mapped[int] = mapped_column(default=0)
    # The top-level comment this one hangs under (itself for a top-level comment), so a page of
    # top-level comments comes with all its replies in one indexed query.
    root_id: Mapped[int | None] = mapped_column(default=None)
    body_source: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.APPROVED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When its author last changed the text (moderation changes updated_at, not this); shown
    # to everyone as "edited".
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Why the policy held this comment for review, as shown to moderators ("[]" if it wasn't).
    hold_reasons: Mapped[str] = mapped_column(sa.Text, default="[]")
    # Readers reported it: in the Reported queue until a moderator decides.
    needs_review: Mapped[bool] = mapped_column(default=False)
    # Enough reports to hide it from readers until a moderator decides.
    hidden_by_flags: Mapped[bool] = mapped_column(default=False)
    # When moderators were last emailed about it (held comments only).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Readers' votes, counted here so a page never sums the votes table; `rank` is the lower
    # bound of the Wilson interval of the up-share (services/votes.py), what "best" sorts by.
    upvotes: Mapped[int] = mapped_column(default=0)
    downvotes: Mapped[int] = mapped_column(default=0)
    rank: Mapped[float] = mapped_column(sa.Float(), default=0.0)
    # When readers were told about it (reply and follow emails); None: not yet, or not visible
    # yet. Claimed before sending, so two processes never announce a comment twice.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # When the editors featured it (an editor's pick; several per thread), None: not featured.
    featured_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # When a moderator last changed the text (readers see "edited by a moderator"); the
    # earlier texts are kept as revisions.
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The text's fingerprint (services/spam.py), so the same body posted on other articles is
    # found by an index lookup.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(32), default=None)

    author: Mapped[Reader] = relationship(lazy="joined")
    thread: Mapped[Thread] = relationship(lazy="raise")


class Vote(Base):
    """One reader's vote on one comment: +1 or -1, changeable and removable."""

    __tablename__ = "comments_widget_votes"

    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_comments.id", ondelete="CASCADE"), primary_key=True
    )
    reader_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="CASCADE"), primary_key=True,
        index=True
    )
    value: Mapped[int] = mapped_column(sa.SmallInteger())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Follow(Base):
    """A reader following an article: emailed about its new top-level comments."""

    __tablename__ = "comments_widget_follows"

    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_threads.id", ondelete="CASCADE"), primary_key=True
    )
    reader_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="CASCADE"), primary_key=True,
        index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ImportedRecord(Base):
    """Where an imported comment or author came from: running an import again skips what is
    already here, and an import that stopped halfway carries on where it stopped."""

    __tablename__ = "comments_widget_imported"

    # The format and the export's own name for itself ("disqus:my-forum"); see importing/.
    source: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # comment | author
    source_id: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    target_id: Mapped[int] = mapped_column()


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class Flag(Base):
    """One reader's report of one comment."""

    __tablename__ = "comments_widget_flags"
    __table_args__ = (sa.UniqueConstraint("comment_id", "reader_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_comments.id", ondelete="CASCADE"), index=True
    )
    reader_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[FlagReason] = mapped_column(_enum(FlagReason, "reason"))
    text: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class AuditEntry(Base):
    """Who did what to which object, and what it changed; never edited, never deleted, and
    chained by hashes so that an edit or a deletion is found."""

    __tablename__ = "comments_widget_audit_log"
    __table_args__ = (sa.Index("ix_comments_widget_audit_log_target", "target_type",
                               "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int | None] = mapped_column(default=None)
    before: Mapped[str] = mapped_column(sa.String(200), default="")
    after: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The hash chain (services/audit_chain.py): who acted, kept when their row is deleted,
    # a digest of what the entry says, and a hash linking it to the entry before it.
    actor_ref: Mapped[int | None] = mapped_column(default=None)
    content_digest: Mapped[str] = mapped_column(sa.String(64), default="")
    entry_hash: Mapped[str] = mapped_column(sa.String(64), default="")

    actor: Mapped[Reader | None] = relationship(lazy="joined")


class LinkDomain(Base):
    """How many comments linking to a domain moderators rejected or marked as spam: past a
    threshold, new comments linking there wait for review (services/spam.py)."""

    __tablename__ = "comments_widget_link_domains"

    domain: Mapped[str] = mapped_column(sa.String(253), primary_key=True)
    flagged: Mapped[int] = mapped_column(default=0)


class Alert(Base):
    """Something moderators must hear about once (a thread's surge, the queue's age), not once
    per comment: raised, mailed once, cleared."""

    __tablename__ = "comments_widget_alerts"

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class CommentRevision(Base):
    """A text a comment had before an edit (by its author, or a moderator removing a slur or a
    phone number): moderators can always see what was there."""

    __tablename__ = "comments_widget_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_comments.id", ondelete="CASCADE"), index=True)
    body_source: Mapped[str] = mapped_column(sa.Text)
    # Who replaced this text, and as what ("author" or "moderator").
    edited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments_widget_readers.id", ondelete="SET NULL"), default=None)
    kind: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Webhook(Base):
    """A site owner's endpoint told about events (services/webhooks.py)."""

    __tablename__ = "comments_widget_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    # Signs every delivery (HMAC-SHA256); shown to admins on the Sites page.
    secret: Mapped[str] = mapped_column(sa.String(64))
    events: Mapped[str] = mapped_column(sa.String(500))  # space-separated event names
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebhookDelivery(Base):
    """One event for one webhook: written with the change it reports, sent and retried from
    here, so nothing is lost when the app restarts."""

    __tablename__ = "comments_widget_deliveries"
    __table_args__ = (sa.Index("ix_comments_widget_deliveries_due", "status",
                               "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hook_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments_widget_webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[str] = mapped_column(sa.Text)
    # "pending", "sending" (claimed by a sender), "delivered" or "failed" (attempts ran out)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Setting(Base):
    """One moderation policy value, stored as JSON, so a change applies on the next request."""

    __tablename__ = "comments_widget_settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)


class Site(Base):
    """An origin allowed to embed the widget, added from the dashboard."""

    __tablename__ = "comments_widget_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(sa.String(300), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Single sign-on: the secret the site signs its readers with ("" = off), and the site's own
    # login and logout pages, which replace ours in the embed.
    sso_secret: Mapped[str] = mapped_column(sa.String(100), default="")
    login_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    logout_url: Mapped[str] = mapped_column(sa.String(2000), default="")


class SpentLink(Base):
    """A single-use emailed link that has been used (only its SHA-256), until it expires."""

    __tablename__ = "comments_widget_spent_links"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
