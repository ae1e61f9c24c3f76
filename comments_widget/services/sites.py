"""The sites allowed to embed the widget: those in config plus those added in the dashboard."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comments_widget.config import ConfigError, parse_origins
from comments_widget.errors import Conflict, InvalidInput, NotFound
from comments_widget.models import Reader, Site
from comments_widget.services import audit


def dashboard_sites(session: Session) -> list[Site]:
    """Sites added in the dashboard, oldest first."""
    return list(session.scalars(sa.select(Site).order_by(Site.id)))


def site_origins(session: Session) -> frozenset[str]:
    """The origins added in the dashboard (the configured ones are added by the caller)."""
    return frozenset(session.scalars(sa.select(Site.origin)))


def add_site(session: Session, actor: Reader, origin: str, name: str | None,
             configured: frozenset[str] = frozenset()) -> Site:
    """Allow one more origin."""
    try:
        [clean] = parse_origins([origin.strip()])
    except (ConfigError, ValueError) as error:
        raise InvalidInput(f"{origin!r} is not an origin: write scheme://host[:port], e.g. "
                           "https://news.example", code="invalid_origin") from error
    if clean in configured or session.scalar(
            sa.select(Site.id).where(Site.origin == clean)) is not None:
        raise Conflict(f"{clean} is already allowed.", code="site_exists")
    site = Site(origin=clean, name=(name or "").strip()[:120])
    session.add(site)
    session.flush()
    audit.record(session, actor, "add_site", "site", site.id, "", clean, site.name)
    return site


def remove_site(session: Session, actor: Reader, site_id: int) -> None:
    """Stop allowing an origin added in the dashboard (existing threads stay)."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("That site is not in the list.", code="unknown_site")
    audit.record(session, actor, "remove_site", "site", site.id, site.origin, "")
    session.delete(site)
    session.flush()


def site_for(session: Session, origin: str) -> Site | None:
    """The dashboard's row for an origin, if it has one."""
    return session.scalar(sa.select(Site).where(Site.origin == origin))


def _site_to_configure(session: Session, origin: str, configured: frozenset[str]) -> Site:
    """The row that holds an origin's sign-in settings; a configured origin gets one on first
    use (it stays allowed by the configuration whether or not the row exists)."""
    site = site_for(session, origin)
    if site is not None:
        return site
    if origin not in configured:
        raise NotFound("That site is not in the list.", code="unknown_site")
    site = Site(origin=origin)
    session.add(site)
    session.flush()
    return site


def rotate_sso_secret(session: Session, actor: Reader | None, origin: str,
                      configured: frozenset[str]) -> Site:
    """Turn single sign-on on for a site, or replace its secret (the old one stops at once)."""
    from comments_widget.sso import new_secret

    site = _site_to_configure(session, origin, configured)
    action = "rotate_sso_secret" if site.sso_secret else "enable_sso"
    site.sso_secret = new_secret()
    session.flush()
    audit.record(session, actor, action, "site", site.id, "", "", site.origin)
    return site


def disable_sso(session: Session, actor: Reader, origin: str) -> None:
    """Stop accepting the site's sign-ins; readers keep their accounts and comments."""
    site = site_for(session, origin)
    if site is None or not site.sso_secret:
        raise NotFound("Single sign-on is not on for that site.", code="unknown_site")
    site.sso_secret = ""
    session.flush()
    audit.record(session, actor, "disable_sso", "site", site.id, "", "", site.origin)


def _page_url(value: str | None, label: str) -> str:
    url = (value or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise InvalidInput(f"The {label} must be a full http(s) address, e.g. "
                           "https://news.example/login", code="invalid_url")
    return url


def set_login_pages(session: Session, actor: Reader | None, origin: str, login_url: str | None,
                    logout_url: str | None, configured: frozenset[str]) -> Site:
    """The site's own login and logout pages, which replace ours in the embed ("" = ours)."""
    login, logout = _page_url(login_url, "login page"), _page_url(logout_url, "logout page")
    site = _site_to_configure(session, origin, configured)
    before = f"{site.login_url} {site.logout_url}".strip()
    site.login_url, site.logout_url = login, logout
    session.flush()
    audit.record(session, actor, "login_pages", "site", site.id, before[:200],
                 f"{login} {logout}".strip()[:200], site.origin)
    return site


def login_pages(session: Session) -> dict[str, tuple[str, str]]:
    """Origin → (login URL, logout URL) for every site that has its own."""
    rows = session.execute(sa.select(Site.origin, Site.login_url, Site.logout_url)
                           .where((Site.login_url != "") | (Site.logout_url != "")))
    return {origin: (login, logout) for origin, login, logout in rows}
