"""Commento's JSON export (Dashboard → Settings → Export data): one JSON document with
`comments` and `commenters`. It is read whole, as Commento writes it whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from comments_widget.importing.records import (
    ImportError_,
    SourceComment,
    open_export,
    parse_time,
)
from comments_widget.models import Status

_STATES = {"approved": Status.APPROVED, "unapproved": Status.PENDING,
           "flagged": Status.PENDING}


def read(path: Path, site: str | None) -> Iterator[SourceComment]:
    try:
        with open_export(path) as source:
            document = json.loads(source.read().decode("utf-8", errors="replace"))
    except (json.JSONDecodeError, EOFError, OSError) as error:
        raise ImportError_(f"{path.name} is not JSON ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("comments"), list):
        raise ImportError_(f"{path.name} is not a Commento export (no \"comments\" list)")
    people = {str(c.get("commenterHex")): c for c in document.get("commenters") or []
              if isinstance(c, dict)}
    for record in document["comments"]:
        if not isinstance(record, dict):
            continue
        hex_id = str(record.get("commenterHex") or "anonymous")
        person = people.get(hex_id, {})
        name = str(person.get("name") or "Anonymous")
        email = str(person.get("email") or "")
        domain, page = str(record.get("domain") or ""), str(record.get("path") or "")
        # Commento keys pages by domain and path; the scheme is --site's, https otherwise.
        scheme = site.split("://", 1)[0] if site else "https"
        url = f"{scheme}://{domain}{page}" if domain else page
        parent = str(record.get("parentHex") or "root")
        score = record.get("score") if isinstance(record.get("score"), int) else 0
        yield SourceComment(
            source_id=str(record.get("commentHex", "")), thread_url=url, thread_title="",
            parent_id=None if parent == "root" else parent,
            author_name=name, author_email=email,
            author_key=f"user:{hex_id}" if hex_id != "anonymous" else f"name:{name}",
            created_at=parse_time(str(record.get("creationDate") or "")),
            body=str(record.get("markdown") or record.get("html") or ""),
            body_format="markdown" if record.get("markdown") else "html",
            status=(Status.DELETED if record.get("deleted")
                    else _STATES.get(str(record.get("state")), Status.PENDING)),
            upvotes=max(score, 0), downvotes=max(-score, 0))
