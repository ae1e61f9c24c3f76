"""Admin-only settings: the moderation policy and the allowed sites."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.admin import webhooks as webhook_pages
from comments_widget.admin.forms import (
    CsrfOnlyForm,
    LoginPagesForm,
    PolicyForm,
    SiteForm,
    SiteOriginForm,
)
from comments_widget.admin.helpers import attempt
from comments_widget.auth import session_reader
from comments_widget.models import Site
from comments_widget.services import audit, sites
from comments_widget.services.policy import Policy, save_policy
from comments_widget.state import current_policy, current_state, db_session

DEFENCE_FIELDS = ("surge_shield", "surge_comments", "surge_window_minutes", "surge_new_share",
                  "surge_new_min", "new_account_hours", "surge_quiet_minutes",
                  "min_seconds_to_post", "duplicate_threads", "duplicate_days",
                  "link_domain_threshold", "sla_minutes")


def _policy_from(form: PolicyForm) -> Policy:
    words = tuple(dict.fromkeys(w.strip() for w in form.banned_words.data.splitlines()
                                if w.strip()))
    return Policy(premoderation=form.premoderation.data,
                  first_time_threshold=form.first_time_threshold.data, banned_words=words,
                  max_links=form.max_links.data, auto_close_days=form.auto_close_days.data,
                  edit_window_minutes=form.edit_window_minutes.data,
                  flag_threshold=form.flag_threshold.data, downvotes=form.downvotes.data,
                  erased_comments=form.erased_comments.data,
                  **{name: getattr(form, name).data for name in DEFENCE_FIELDS})


def policy_page(require_admin: Callable[[], object]) -> BaseResponse | str | tuple[str, int]:
    """Show and change the policy; a change applies to the very next comment."""
    require_admin()
    current = current_policy()
    form = PolicyForm(data={**current.__dict__, "banned_words": "\n".join(current.banned_words)})
    if form.validate_on_submit():
        def change() -> str:
            changes = save_policy(db_session(), _policy_from(form))
            for key, (before, after) in changes.items():
                audit.record(db_session(), session_reader(), "policy", "policy", None,
                             str(before), str(after), key)
            return f"Policy saved ({len(changes)} change{'s' if len(changes) != 1 else ''})."

        return attempt(change, "comments_widget.admin.policy",
                       after_commit=current_state().settings.invalidate)
    status = 400 if form.errors else 200
    return render_template("comments_widget/admin/policy.html", form=form), status


def sites_page(require_admin: Callable[[], object]) -> BaseResponse | str | tuple[str, int]:
    """Allowed origins, with the snippet to paste on each."""
    require_admin()
    form = SiteForm()
    if form.validate_on_submit():
        def change() -> str:
            site = sites.add_site(db_session(), session_reader(), form.origin.data, form.name.data,
                                  current_state().allowed_origins)
            return f"{site.origin} may now embed the comments."

        return attempt(change, "comments_widget.admin.sites",
                       after_commit=current_state().settings.invalidate)
    configured = current_state().allowed_origins
    rows = {site.origin: site for site in sites.dashboard_sites(db_session())}
    listed = [SiteEntry(origin, origin in configured, rows.get(origin))
              for origin in sorted(configured)]
    listed += [SiteEntry(site.origin, False, site) for site in rows.values()
               if site.origin not in configured]
    return render_template(
        "comments_widget/admin/sites.html", form=form, remove_form=CsrfOnlyForm(),
        sites=listed, button_form=SiteOriginForm(), pages_form=LoginPagesForm,
        embed_url=url_for("comments_widget.embed_js", _external=True),
        **webhook_pages.page_context(),
    ), 400 if form.errors else 200


@dataclass(frozen=True)
class SiteEntry:
    """One allowed origin as the Sites page shows it."""

    origin: str
    configured: bool
    row: Site | None

    @property
    def sso_secret(self) -> str:
        return self.row.sso_secret if self.row is not None else ""


def _site_change(require_admin: Callable[[], object], form: SiteOriginForm,
                 change: Callable[[str], str]) -> BaseResponse:
    require_admin()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors or not form.errors:
            abort(400, description="The form expired; reload the page and try again.")
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("comments_widget.admin.sites"))
    return attempt(lambda: change(form.origin.data), "comments_widget.admin.sites",
                   after_commit=current_state().settings.invalidate)


def rotate_sso_secret(require_admin: Callable[[], object]) -> BaseResponse:
    """Turn single sign-on on for a site, or give it a new secret."""
    def change(origin: str) -> str:
        site = sites.rotate_sso_secret(db_session(), session_reader(), origin,
                                       current_state().allowed_origins)
        return (f"Single sign-on is on for {site.origin}. Put the new secret in the site's "
                "configuration: payloads signed with an older one are refused from now on.")

    return _site_change(require_admin, SiteOriginForm(), change)


def disable_sso(require_admin: Callable[[], object]) -> BaseResponse:
    """Stop accepting a site's sign-ins (its readers keep their comments)."""
    def change(origin: str) -> str:
        sites.disable_sso(db_session(), session_reader(), origin)
        return f"Single sign-on is off for {origin}."

    return _site_change(require_admin, SiteOriginForm(), change)


def set_login_pages(require_admin: Callable[[], object]) -> BaseResponse:
    """The site's own login and logout pages for the embed."""
    form = LoginPagesForm()

    def change(origin: str) -> str:
        site = sites.set_login_pages(db_session(), session_reader(), origin,
                                     form.login_url.data, form.logout_url.data,
                                     current_state().allowed_origins)
        if site.login_url:
            return f"Log-in on {site.origin} now goes to {site.login_url}."
        return f"Log-in on {site.origin} opens the comment server's login popup."

    return _site_change(require_admin, form, change)


def remove_site(require_admin: Callable[[], object], site_id: int) -> BaseResponse:
    """Stop allowing an origin that was added in the dashboard."""
    require_admin()
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")

    def change() -> str:
        sites.remove_site(db_session(), session_reader(), site_id)
        current_state().settings.invalidate()
        return "Site removed."

    return attempt(change, "comments_widget.admin.sites",
                   after_commit=current_state().settings.invalidate)


def register(admin: Blueprint, require_admin: Callable[[], object]) -> None:
    """Add these pages to the dashboard blueprint, each behind the admin check."""
    admin.add_url_rule("/policy", "policy", lambda: policy_page(require_admin),
                       methods=["GET", "POST"])
    admin.add_url_rule("/sites", "sites", lambda: sites_page(require_admin),
                       methods=["GET", "POST"])
    admin.add_url_rule("/sites/<cw_id:site_id>/remove", "remove_site",
                       lambda site_id: remove_site(require_admin, site_id), methods=["POST"])
    admin.add_url_rule("/sites/sso/secret", "rotate_sso_secret",
                       lambda: rotate_sso_secret(require_admin), methods=["POST"])
    admin.add_url_rule("/sites/sso/off", "disable_sso",
                       lambda: disable_sso(require_admin), methods=["POST"])
    admin.add_url_rule("/sites/login-pages", "login_pages",
                       lambda: set_login_pages(require_admin), methods=["POST"])
    webhook_pages.register(admin, require_admin)
