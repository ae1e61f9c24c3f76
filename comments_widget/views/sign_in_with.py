""""Continue with …" buttons in the login popup: OpenID Connect providers and GitHub.

The popup leaves for the provider and comes back to the callback, which checks the state it
left with (kept in our session), trades the code for who signed in (oidc.py checks the ID
token) and finishes like a password login: the token reaches the article that opened the
popup. A provider that vouches for the address of an existing account links to it only after
its owner logs in once with their password.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget import oidc
from comments_widget.auth import start_session
from comments_widget.errors import WidgetError
from comments_widget.i18n import current_language
from comments_widget.i18n import gettext as _
from comments_widget.models import Reader
from comments_widget.services import external
from comments_widget.state import current_state, db_session
from comments_widget.views.emails import public_url
from comments_widget.views.popup import carry_args, finish_login, popup_origin

PENDING_KEY = "comments_widget_sign_in"
LINK_KEY = "comments_widget_link"
# The reader has this long at the provider (a login, perhaps a second factor) to come back.
PENDING_SECONDS = 15 * 60


def provider_key(signed: oidc.SignedIn) -> str:
    """Identities are keyed by the issuer, so renaming a provider in config loses nobody."""
    return f"signin:{signed.issuer}"


def _provider(name: str) -> oidc.Provider:
    provider = current_state().sign_in_providers.get(name)
    if provider is None:
        abort(404)
    return provider


def _callback_url(name: str) -> str:
    return public_url("comments_widget.pages.sign_in_callback", name=name)


def begin(name: str) -> BaseResponse | tuple[str, int]:
    """Leave for the provider, remembering what must come back and where the popup was."""
    provider = _provider(name)
    popup_origin()
    current_language()  # Remembered in the session: the pages after the trip speak it too.
    try:
        started = oidc.start(provider, current_state().discovery, _callback_url(name))
    except WidgetError as error:
        return _failed(provider, error.message, carry_args())
    session[PENDING_KEY] = {"provider": name, "state": started.state, "nonce": started.nonce,
                            "verifier": started.code_verifier, "args": carry_args(),
                            "at": time.time()}
    return redirect(started.url)


def callback(name: str) -> BaseResponse | str | tuple[str, int]:
    """Back from the provider: check everything, then log the reader in."""
    provider = _provider(name)
    pending: dict[str, Any] | None = session.pop(PENDING_KEY, None)
    args = pending.get("args", {}) if isinstance(pending, dict) else {}
    if not isinstance(pending, dict) or pending.get("provider") != name \
            or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return _failed(provider, _("This sign-in was not started in this browser, or it took "
                                   "too long. Please start again."), args)
    if not hmac.compare_digest(str(request.args.get("state", "")), str(pending["state"])):
        return _failed(provider, _("This sign-in does not belong to this login attempt "
                                   "(state mismatch). Please start again."), args)
    if request.args.get("error"):
        message = (_("You did not allow {provider} to sign you in.", provider=provider.title)
                   if request.args["error"] == "access_denied" else
                   _("{provider} could not sign you in.", provider=provider.title))
        return _failed(provider, message, args)
    started = oidc.Started(url="", state=pending["state"], nonce=pending["nonce"],
                           code_verifier=pending["verifier"])
    db = db_session()
    try:
        signed = oidc.finish(provider, current_state().discovery, _callback_url(name),
                             request.args.get("code", ""), started)
        reader = external.sign_in_with_provider(db, provider_key(signed), signed.author,
                                                signed.email_verified)
    except external.LinkRequired as needed:
        db.rollback()
        session[LINK_KEY] = {"provider": provider_key(signed), "subject": str(signed.author.id),
                             "email": needed.email, "title": provider.title, "at": time.time()}
        return redirect(url_for("comments_widget.pages.login", **args))
    except WidgetError as error:
        db.rollback()
        return _failed(provider, error.message, args)
    db.commit()
    start_session(reader)
    return finish_login(reader, args)


def pending_link() -> dict[str, Any] | None:
    """The provider waiting to be linked to an account, if one is and it is not too old."""
    link = session.get(LINK_KEY)
    if not isinstance(link, dict) or time.time() - link.get("at", 0) > PENDING_SECONDS:
        return None
    return link


def link_after_login(reader: Reader) -> None:
    """After a password login: connect the provider that asked for it, if this account is the
    one it vouched for."""
    link = pending_link()
    session.pop(LINK_KEY, None)
    if link is not None and reader.email == link["email"]:
        external.link_identity(db_session(), reader, link["provider"], link["subject"],
                               link["email"])
        db_session().commit()


def _failed(provider: oidc.Provider, message: str, args: dict[str, str]
            ) -> tuple[str, int]:
    return render_template("comments_widget/sign_in_failed.html", message=message,
                           provider=provider, args=args), 400


def register(pages: Blueprint) -> None:
    """Add the sign-in routes to the reader pages blueprint."""
    pages.add_url_rule("/login/with/<name>", "sign_in_with", begin)
    pages.add_url_rule("/login/with/<name>/callback", "sign_in_callback", callback)
