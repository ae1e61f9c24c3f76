"""The Flask extension: the only code that touches the host `app`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from comments_widget import config, migrate
from comments_widget.config import ConfigError, spam_checker_names
from comments_widget.db import check_writable, create_engine, create_session_factory
from comments_widget.host import HostBridge
from comments_widget.ids import ID_CONVERTER, BoundedId
from comments_widget.mail import MailSettings
from comments_widget.oidc import parse_providers
from comments_widget.payload_cache import PayloadCache, SummaryCache
from comments_widget.ratelimit import RateLimiter
from comments_widget.services import webhooks
from comments_widget.services.comments import PostingRules
from comments_widget.services.external import Author
from comments_widget.services.spam import SpamChecker, load_checkers
from comments_widget.settings_cache import SettingsCache
from comments_widget.state import EXTENSION_KEY, WidgetState, close_db_session
from comments_widget.views.server_rendered import comments_thread


class CommentsWidget:
    """Comments and reader login for a Flask app: `CommentsWidget(app)` or `init_app(app)`.

    A host with its own users passes `current_author`, a function returning the logged-in
    user as an `Author` (or None), and its `login_url`/`logout_url`: the embed on its pages
    then uses those users and pages instead of our accounts (docs/accounts.md).
    """

    def __init__(self, app: Flask | None = None, *,
                 current_author: Callable[[], Author | None] | None = None,
                 login_url: str = "", logout_url: str = "") -> None:
        self.host = HostBridge(current_author, login_url, logout_url) if current_author \
            else None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Read config, open the database, apply migrations if asked, mount the blueprint."""
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "comments_widget is already registered on this app; call init_app once per app "
                "(create one CommentsWidget and reuse it, or use a fresh Flask app)."
            )
        config.apply_defaults(app.config)
        app.config["COMMENTS_WIDGET_ALLOWED_ORIGINS"] = config.parse_origins(
            app.config["COMMENTS_WIDGET_ALLOWED_ORIGINS"]
        )
        config.validate(app.config)
        for key in config.RATE_LIMIT_KEYS:
            RateLimiter.check_rule(key, app.config[key])
        sign_in_providers = parse_providers(app.config["COMMENTS_WIDGET_SIGN_IN_PROVIDERS"])
        spam_checkers = _spam_checkers(app.config)  # before the database: a bad name stops here

        database_url = app.config["COMMENTS_WIDGET_DATABASE_URL"] or _default_sqlite_url(app)
        engine = create_engine(
            database_url,
            connect_timeout=app.config["COMMENTS_WIDGET_DB_CONNECT_TIMEOUT_SECONDS"],
            statement_timeout=app.config["COMMENTS_WIDGET_DB_STATEMENT_TIMEOUT_SECONDS"])
        check_writable(engine)
        auto_migrate = app.config["COMMENTS_WIDGET_AUTO_MIGRATE"]
        if auto_migrate is None:
            auto_migrate = engine.dialect.name == "sqlite"
        if auto_migrate:
            migrate.upgrade_once(engine)

        session_factory = create_session_factory(engine)
        summaries = SummaryCache(app.config["COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS"])
        counts = SummaryCache(app.config["COMMENTS_WIDGET_THREAD_SUMMARY_TTL_SECONDS"], 2_000)
        # Reads never commit; any commit in this process may have changed a thread.
        sa.event.listen(session_factory, "after_commit", summaries.clear)
        sa.event.listen(session_factory, "after_commit", counts.clear)
        sa.event.listen(session_factory, "after_commit",
                        webhooks.sender_after_commit(session_factory))
        app.extensions[EXTENSION_KEY] = WidgetState(
            engine=engine,
            session_factory=session_factory,
            allowed_origins=frozenset(app.config["COMMENTS_WIDGET_ALLOWED_ORIGINS"]),
            posting_rules=PostingRules(
                max_body_length=app.config["COMMENTS_WIDGET_MAX_BODY_LENGTH"],
                max_depth=app.config["COMMENTS_WIDGET_MAX_DEPTH"],
                require_verified_email=(
                    app.config["COMMENTS_WIDGET_EMAIL_VERIFICATION"] == "before_posting"),
            ),
            token_max_age=timedelta(days=app.config["COMMENTS_WIDGET_TOKEN_MAX_AGE_DAYS"]),
            min_password_length=app.config["COMMENTS_WIDGET_MIN_PASSWORD_LENGTH"],
            login_rate_limit=app.config["COMMENTS_WIDGET_LOGIN_RATE_LIMIT"],
            account_login_rate_limit=app.config["COMMENTS_WIDGET_ACCOUNT_LOGIN_RATE_LIMIT"],
            register_rate_limit=app.config["COMMENTS_WIDGET_REGISTER_RATE_LIMIT"],
            post_rate_limit=app.config["COMMENTS_WIDGET_POST_RATE_LIMIT"],
            flag_rate_limit=app.config["COMMENTS_WIDGET_FLAG_RATE_LIMIT"],
            vote_rate_limit=app.config["COMMENTS_WIDGET_VOTE_RATE_LIMIT"],
            trusted_flagger_age=timedelta(
                hours=app.config["COMMENTS_WIDGET_TRUSTED_FLAGGER_AGE_HOURS"]),
            remember_for=timedelta(days=app.config["COMMENTS_WIDGET_REMEMBER_DAYS"]),
            fetch_page_titles=bool(app.config["COMMENTS_WIDGET_FETCH_PAGE_TITLES"]),
            reset_link_max_age=timedelta(
                minutes=app.config["COMMENTS_WIDGET_RESET_LINK_MAX_AGE_MINUTES"]),
            mail_rate_limit=app.config["COMMENTS_WIDGET_MAIL_RATE_LIMIT"],
            login_links=bool(app.config["COMMENTS_WIDGET_LOGIN_LINKS"]),
            login_link_max_age=timedelta(
                minutes=app.config["COMMENTS_WIDGET_LOGIN_LINK_MAX_AGE_MINUTES"]),
            email_verification=app.config["COMMENTS_WIDGET_EMAIL_VERIFICATION"],
            verify_link_max_age=timedelta(
                hours=app.config["COMMENTS_WIDGET_VERIFY_LINK_MAX_AGE_HOURS"]),
            limiter=RateLimiter(app.config["COMMENTS_WIDGET_REDIS_URL"],
                                app.config["COMMENTS_WIDGET_RATE_LIMIT_NAMESPACE"]),
            mail=_mail_settings(app.config),
            notify_interval_minutes=app.config["COMMENTS_WIDGET_NOTIFY_INTERVAL_MINUTES"],
            reply_emails_default=bool(app.config["COMMENTS_WIDGET_REPLY_EMAILS"]),
            settings=SettingsCache(app.config["COMMENTS_WIDGET_SETTINGS_TTL_SECONDS"]),
            payloads=PayloadCache(app.config["COMMENTS_WIDGET_PAYLOAD_CACHE_MB"] * 1024 * 1024),
            summaries=summaries,
            counts=counts,
            thread_page_size=app.config["COMMENTS_WIDGET_THREAD_PAGE_SIZE"],
            thread_max_age=app.config["COMMENTS_WIDGET_THREAD_MAX_AGE_SECONDS"],
            host=self.host,
            sign_in_providers=sign_in_providers,
            spam_checkers=spam_checkers,
        )
        app.teardown_appcontext(close_db_session)
        # Our ids are 32-bit database keys; a larger number in a path is a 404, not a 500.
        app.url_map.converters.setdefault(ID_CONVERTER, BoundedId)
        if app.config["COMMENTS_WIDGET_FAST_READS"]:
            from comments_widget.views.fast_reads import FastReads

            app.wsgi_app = FastReads(app, app.wsgi_app,  # type: ignore[method-assign]
                                     app.config["COMMENTS_WIDGET_URL_PREFIX"])
        hops = app.config["COMMENTS_WIDGET_TRUSTED_PROXY_HOPS"]
        if hops:
            # Asked for by the operator; the client address, scheme and host then come from
            # the proxies' X-Forwarded-* headers (rate limits count real clients).
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore
                                    x_host=hops)

        from comments_widget.cli import comments_widget_cli
        from comments_widget.views import create_blueprint

        app.add_template_global(comments_thread)
        app.register_blueprint(
            create_blueprint(), url_prefix=app.config["COMMENTS_WIDGET_URL_PREFIX"]
        )
        app.cli.add_command(comments_widget_cli)


def _spam_checkers(settings: Mapping[str, Any]) -> tuple[SpamChecker, ...]:
    try:
        return load_checkers(spam_checker_names(settings), settings)
    except (ValueError, ImportError, AttributeError) as error:
        raise ConfigError(f"COMMENTS_WIDGET_SPAM_CHECKERS: {error}") from error


def _mail_settings(config: Mapping[str, Any]) -> MailSettings | None:
    if not config["COMMENTS_WIDGET_SMTP_HOST"]:
        return None
    public_url = config["COMMENTS_WIDGET_PUBLIC_URL"]
    queue_url = (f"{public_url.rstrip('/')}{config['COMMENTS_WIDGET_URL_PREFIX']}"
                 "/admin/queue/pending") if public_url else ""
    return MailSettings(
        host=config["COMMENTS_WIDGET_SMTP_HOST"], port=config["COMMENTS_WIDGET_SMTP_PORT"],
        username=config["COMMENTS_WIDGET_SMTP_USERNAME"],
        password=config["COMMENTS_WIDGET_SMTP_PASSWORD"],
        starttls=bool(config["COMMENTS_WIDGET_SMTP_STARTTLS"]),
        sender=config["COMMENTS_WIDGET_MAIL_SENDER"], queue_url=queue_url,
    )


def _default_sqlite_url(app: Flask) -> str:
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "comments_widget.sqlite3")
