"""The sites allowed to embed the widget: those in config plus those added in the dashboard."""

from __future__ import annotations

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
