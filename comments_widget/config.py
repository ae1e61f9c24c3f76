"""Every COMMENTS_WIDGET_* setting in one place: its default, its meaning, its start-up check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from comments_widget.urls import origin_of

DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL of the comment database; None means a SQLite file in the app's instance folder.
    "COMMENTS_WIDGET_DATABASE_URL": None,
    # Origins (scheme://host[:port]) whose pages may embed the widget and create threads.
    "COMMENTS_WIDGET_ALLOWED_ORIGINS": [],
    # Sign in with OpenID Connect providers and GitHub (docs/accounts.md); JSON in the
    # environment.
    "COMMENTS_WIDGET_SIGN_IN_PROVIDERS": {},
    # Where the blueprint is mounted; every public path in DESIGN.md lives under it.
    "COMMENTS_WIDGET_URL_PREFIX": "/comments",
    # Longest comment body accepted, in characters of Markdown source.
    "COMMENTS_WIDGET_MAX_BODY_LENGTH": 10_000,
    # Deepest reply level: 0 is a top-level comment, so 3 allows replies to replies to replies.
    "COMMENTS_WIDGET_MAX_DEPTH": 3,
    # Apply pending schema migrations at start-up; None means "only for SQLite".
    "COMMENTS_WIDGET_AUTO_MIGRATE": None,
    # Days an API token stays valid after it is issued.
    "COMMENTS_WIDGET_TOKEN_MAX_AGE_DAYS": 90,
    # Where rate-limit counters live: None keeps them in process memory, a redis:// URL shares them.
    "COMMENTS_WIDGET_REDIS_URL": None,
    # Prefix of this server's counters, so several sites can share one Redis.
    "COMMENTS_WIDGET_RATE_LIMIT_NAMESPACE": "comments_widget",
    # Password attempts allowed per client address on the token endpoint and the login page.
    "COMMENTS_WIDGET_LOGIN_RATE_LIMIT": "10/minute",
    # Wrong passwords allowed for one account, from any address, before it is locked for a while.
    "COMMENTS_WIDGET_ACCOUNT_LOGIN_RATE_LIMIT": "10/hour",
    # New accounts per client address.
    "COMMENTS_WIDGET_REGISTER_RATE_LIMIT": "5/hour",
    # Read a new thread's title and canonical URL from the article page itself (fetched from
    # the allowed origin); off, threads are listed by URL until a moderator names them.
    "COMMENTS_WIDGET_FETCH_PAGE_TITLES": True,
    # Comments one reader may post.
    "COMMENTS_WIDGET_POST_RATE_LIMIT": "20/minute",
    # Reports one reader may send.
    "COMMENTS_WIDGET_FLAG_RATE_LIMIT": "20/hour",
    # Votes (and changes of vote) one reader may cast.
    "COMMENTS_WIDGET_VOTE_RATE_LIMIT": "120/hour",
    # Hours an unverified account must exist (with one approved comment) before its reports
    # count toward hiding a comment; reports of verified accounts and staff always count.
    "COMMENTS_WIDGET_TRUSTED_FLAGGER_AGE_HOURS": 48,
    # Days the "remember me" cookie of the login page keeps a reader logged in on this server.
    "COMMENTS_WIDGET_REMEMBER_DAYS": 14,
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host to trust (werkzeug's
    # ProxyFix); 0 trusts none. Set it to the number of proxies, e.g. 1 behind one nginx.
    "COMMENTS_WIDGET_TRUSTED_PROXY_HOPS": 0,
    # Seconds to wait for a database connection before answering 503 (PostgreSQL).
    "COMMENTS_WIDGET_DB_CONNECT_TIMEOUT_SECONDS": 5,
    # Seconds one SQL statement may run before it is cancelled (PostgreSQL); 0 means no limit.
    "COMMENTS_WIDGET_DB_STATEMENT_TIMEOUT_SECONDS": 10,
    # Shortest password a reader may choose.
    "COMMENTS_WIDGET_MIN_PASSWORD_LENGTH": 8,
    # SMTP server for the moderators' digest of held comments; None turns email off.
    "COMMENTS_WIDGET_SMTP_HOST": None,
    # Its port.
    "COMMENTS_WIDGET_SMTP_PORT": 25,
    # Login for the SMTP server, if it wants one.
    "COMMENTS_WIDGET_SMTP_USERNAME": None,
    # Password for that login.
    "COMMENTS_WIDGET_SMTP_PASSWORD": None,
    # Upgrade the SMTP connection with STARTTLS.
    "COMMENTS_WIDGET_SMTP_STARTTLS": False,
    # The From address of the digest.
    "COMMENTS_WIDGET_MAIL_SENDER": "comments@localhost",
    # Minimum minutes between two digests (held comments in between wait for the next one).
    "COMMENTS_WIDGET_NOTIFY_INTERVAL_MINUTES": 5,
    # Whether readers who have not chosen get emails about replies to their comments.
    "COMMENTS_WIDGET_REPLY_EMAILS": False,
    # When a new reader must confirm their email address: "off", "before_posting" (they may
    # log in, but their comments wait until they confirm) or "before_login".
    "COMMENTS_WIDGET_EMAIL_VERIFICATION": "before_posting",
    # Hours a confirmation link stays valid.
    "COMMENTS_WIDGET_VERIFY_LINK_MAX_AGE_HOURS": 48,
    # Days after which `comments-widget purge-unverified` deletes accounts never confirmed.
    "COMMENTS_WIDGET_UNVERIFIED_MAX_AGE_DAYS": 7,
    # Offer "Email me a login link" on the login page (needs email).
    "COMMENTS_WIDGET_LOGIN_LINKS": False,
    # Minutes a login link stays valid (it works once).
    "COMMENTS_WIDGET_LOGIN_LINK_MAX_AGE_MINUTES": 15,
    # Minutes a password reset link stays valid (it also stops working once used).
    "COMMENTS_WIDGET_RESET_LINK_MAX_AGE_MINUTES": 60,
    # Account emails (reset links) one client address, and one email address, may ask for.
    "COMMENTS_WIDGET_MAIL_RATE_LIMIT": "5/hour",
    # The name emails and reader pages use for this comment service; None: the server's host.
    "COMMENTS_WIDGET_SITE_NAME": None,
    # Public base URL of the comment server, for links in emails sent from the command line.
    "COMMENTS_WIDGET_PUBLIC_URL": None,
    # Seconds a process may keep using the policy and dashboard sites before re-reading them.
    "COMMENTS_WIDGET_SETTINGS_TTL_SECONDS": 5,
    # Top-level comments per page of a thread (their replies come with them).
    "COMMENTS_WIDGET_THREAD_PAGE_SIZE": 50,
    # Megabytes of serialised thread pages each process keeps, keyed by ETag (0 turns it off).
    "COMMENTS_WIDGET_PAYLOAD_CACHE_MB": 64,
    # Seconds a process may answer a thread from its own memory before asking the database
    # again (commits in the same process clear it at once); 0 always asks.
    "COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS": 1,
    # Answer the public thread pages and counts before Flask routes the request (same
    # answers, a fraction of the work; views/fast_reads.py). False runs them through Flask,
    # for a host app whose own before/after-request hooks must see them.
    "COMMENTS_WIDGET_FAST_READS": True,
    # max-age of the public thread payload; stale-while-revalidate is six times as long.
    "COMMENTS_WIDGET_THREAD_MAX_AGE_SECONDS": 10,
    # Spam checkers every new or edited comment passes (services/spam.py): "heuristics",
    # "akismet", or "package.module:factory" (a list, or names separated by spaces/commas).
    # None: the heuristics, plus Akismet when a key is set.
    "COMMENTS_WIDGET_SPAM_CHECKERS": None,
    # Akismet (or any service speaking its protocol at COMMENTS_WIDGET_AKISMET_URL).
    "COMMENTS_WIDGET_AKISMET_KEY": None,
    "COMMENTS_WIDGET_AKISMET_BLOG": None,  # the site's front page URL, as Akismet knows it
    "COMMENTS_WIDGET_AKISMET_URL": None,  # None: https://rest.akismet.com/1.1/
}


def spam_checker_names(config: Mapping[str, Any]) -> list[str]:
    """The checkers to run, in order, from COMMENTS_WIDGET_SPAM_CHECKERS or the default."""
    value = config.get("COMMENTS_WIDGET_SPAM_CHECKERS")
    if value is None:
        return ["heuristics"] + (["akismet"] if config.get("COMMENTS_WIDGET_AKISMET_KEY") else [])
    return value.replace(",", " ").split() if isinstance(value, str) else list(value)


RATE_LIMIT_KEYS = ("COMMENTS_WIDGET_LOGIN_RATE_LIMIT", "COMMENTS_WIDGET_ACCOUNT_LOGIN_RATE_LIMIT",
                   "COMMENTS_WIDGET_REGISTER_RATE_LIMIT", "COMMENTS_WIDGET_POST_RATE_LIMIT",
                   "COMMENTS_WIDGET_FLAG_RATE_LIMIT", "COMMENTS_WIDGET_MAIL_RATE_LIMIT",
                   "COMMENTS_WIDGET_VOTE_RATE_LIMIT")


VERIFICATION_MODES = ("off", "before_posting", "before_login")


class ConfigError(RuntimeError):
    """A COMMENTS_WIDGET_* setting is unusable; the message names the key."""


def apply_defaults(config: dict[str, Any]) -> None:
    """Fill in every setting the host left out."""
    for key, value in DEFAULTS.items():
        config.setdefault(key, list(value) if isinstance(value, list) else value)


def parse_origins(value: str | Iterable[str]) -> list[str]:
    """Accept a list or a comma/space separated string of origins and normalise each."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    origins = []
    for item in items:
        origin = origin_of(item)
        parts = urlsplit(item)
        if origin is None or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigError(
                f"COMMENTS_WIDGET_ALLOWED_ORIGINS: {item!r} is not an origin; "
                "write scheme://host[:port] with nothing after it, e.g. https://news.example"
            )
        origins.append(origin)
    return origins


def validate(config: Mapping[str, Any]) -> None:
    """Fail at start-up, naming the key, rather than on the first reader's request."""
    if not config.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY is not set: comments_widget signs sessions and CSRF tokens with it. "
            "Set app.config['SECRET_KEY'] "
            "(or COMMENTS_WIDGET_SECRET_KEY for the stand-alone server)."
        )
    if not config["COMMENTS_WIDGET_ALLOWED_ORIGINS"]:
        raise ConfigError(
            "COMMENTS_WIDGET_ALLOWED_ORIGINS is empty: list the origins of the sites that embed "
            "the comments, e.g. ['https://news.example']."
        )
    prefix = config["COMMENTS_WIDGET_URL_PREFIX"]
    if not isinstance(prefix, str) or not prefix.startswith("/") or prefix.endswith("/"):
        raise ConfigError(
            f"COMMENTS_WIDGET_URL_PREFIX must start with '/' and not end with one, got {prefix!r}"
        )
    for key in ("COMMENTS_WIDGET_MAX_BODY_LENGTH", "COMMENTS_WIDGET_TOKEN_MAX_AGE_DAYS",
                "COMMENTS_WIDGET_REMEMBER_DAYS", "COMMENTS_WIDGET_DB_CONNECT_TIMEOUT_SECONDS",
                "COMMENTS_WIDGET_RESET_LINK_MAX_AGE_MINUTES",
                "COMMENTS_WIDGET_LOGIN_LINK_MAX_AGE_MINUTES",
                "COMMENTS_WIDGET_VERIFY_LINK_MAX_AGE_HOURS",
                "COMMENTS_WIDGET_UNVERIFIED_MAX_AGE_DAYS",
                "COMMENTS_WIDGET_MIN_PASSWORD_LENGTH", "COMMENTS_WIDGET_SMTP_PORT",
                "COMMENTS_WIDGET_NOTIFY_INTERVAL_MINUTES", "COMMENTS_WIDGET_THREAD_PAGE_SIZE"):
        value = config[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{key} must be a positive whole number, got {value!r}")
    for key in ("COMMENTS_WIDGET_SETTINGS_TTL_SECONDS", "COMMENTS_WIDGET_THREAD_MAX_AGE_SECONDS",
                "COMMENTS_WIDGET_DB_STATEMENT_TIMEOUT_SECONDS",
                "COMMENTS_WIDGET_TRUSTED_FLAGGER_AGE_HOURS",
                "COMMENTS_WIDGET_PAYLOAD_CACHE_MB", "COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS"):
        value = config[key]
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{key} must be a number of seconds, 0 or more, got {value!r}")
    verification = config["COMMENTS_WIDGET_EMAIL_VERIFICATION"]
    if verification not in VERIFICATION_MODES:
        raise ConfigError(f"COMMENTS_WIDGET_EMAIL_VERIFICATION must be one of "
                          f"{', '.join(VERIFICATION_MODES)}, got {verification!r}")
    if verification != "off" and not config["COMMENTS_WIDGET_SMTP_HOST"]:
        raise ConfigError(
            f"COMMENTS_WIDGET_EMAIL_VERIFICATION is {verification!r}, but email is off: set "
            "COMMENTS_WIDGET_SMTP_HOST (and _PORT) so readers can get the link, or set "
            "COMMENTS_WIDGET_EMAIL_VERIFICATION to 'off'.")
    if config["COMMENTS_WIDGET_LOGIN_LINKS"] and not config["COMMENTS_WIDGET_SMTP_HOST"]:
        raise ConfigError("COMMENTS_WIDGET_LOGIN_LINKS needs email: set "
                          "COMMENTS_WIDGET_SMTP_HOST (and _PORT), or turn login links off.")
    hops = config["COMMENTS_WIDGET_TRUSTED_PROXY_HOPS"]
    if not isinstance(hops, int) or isinstance(hops, bool) or not 0 <= hops <= 5:
        raise ConfigError(f"COMMENTS_WIDGET_TRUSTED_PROXY_HOPS must be 0 to 5, got {hops!r}")
    depth = config["COMMENTS_WIDGET_MAX_DEPTH"]
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise ConfigError(f"COMMENTS_WIDGET_MAX_DEPTH must be 0 or more, got {depth!r}")
