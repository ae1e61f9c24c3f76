"""Importing Disqus, WordPress, Isso, Remark42 and Commento exports.

The sample exports in tests/exports/ follow each format's public documentation and hold the odd
cases real exports have; the Isso database is written by Isso itself (tests/isso_writer.py).
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import venv
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from comments_widget.errors import WidgetError
from comments_widget.importing.commands import run_import
from comments_widget.importing.writer import (
    HELD,
    MISSING_PARENT,
    OTHER_THREAD,
    ImportSummary,
    too_deep,
)
from comments_widget.models import Comment, ImportedRecord, Reader, Status, Thread
from comments_widget.services import hold_reasons, readers
from comments_widget.services.hold_reasons import HoldReason
from comments_widget.services.policy import load_policy, save_policy

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = Path(__file__).resolve().parent / "exports"
SITE = "https://news.example"
ARTICLE = f"{SITE}/2023/09/putin-kim"
THREADS = "/comments/api/v1/threads"


def import_export(app: Flask, export_format: str, path: Path, site: str | None = SITE,
                  dry_run: bool = False) -> ImportSummary:
    with app.app_context():
        return run_import(export_format, path, site, dry_run, workers=0, progress=False)


def comments(app: Flask) -> list[tuple[Any, ...]]:
    """Every stored comment as (thread key, parent's text, depth, status, author, text)."""
    with app.extensions["comments_widget"].session_factory() as db:
        texts = dict(db.execute(sa.select(Comment.id, Comment.body_source)).all())
        rows = db.execute(sa.select(Thread.key, Comment.parent_id, Comment.depth, Comment.status,
                                    Reader.display_name, Comment.body_source)
                          .join(Thread, Thread.id == Comment.thread_id)
                          .join(Reader, Reader.id == Comment.author_id)
                          .order_by(Comment.created_at, Comment.body_source)).all()
    return [(key, texts.get(parent), depth, status.value, name, text)
            for key, parent, depth, status, name, text in rows]


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import writes."""
    with app.extensions["comments_widget"].session_factory() as db:
        return {model.__tablename__: [tuple(row) for row in db.execute(
            sa.select(model.__table__).order_by(*model.__table__.primary_key.columns))]
            for model in (Thread, Comment, Reader, ImportedRecord)}


def public_thread(app: Flask, url: str = ARTICLE) -> dict[str, Any]:
    answer = app.test_client().get(THREADS, query_string={"url": url})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def texts_of(tree: list[dict[str, Any]]) -> list[Any]:
    return [(c["html"], texts_of(c["replies"])) for c in tree]


# -- Disqus -----------------------------------------------------------------------------------

FIRST = ("First! The summit was **mostly** theatre, see "
         "[this analysis](https://example.org/analysis).")
RELATIVE = f"{SITE}/2023/10/relative-link"


def test_disqus_threads_nesting_statuses_and_authors_land_where_they_belong(
        make_app: Any) -> None:
    app = make_app()
    summary = import_export(app, "disqus", EXPORTS / "disqus.xml")
    assert comments(app) == [
        (ARTICLE, None, 0, "approved", "Ada Lovelace", FIRST),
        # 12:00+02:00 is 10:00 UTC.
        (ARTICLE, None, 0, "spam", "Watches", "Buy cheap watches"),
        (ARTICLE, FIRST, 1, "approved", "Zoë Ångström", "Grüße aus Zürich — 東京 agrees 🙂"),
        (ARTICLE, "Grüße aus Zürich — 東京 agrees 🙂", 2, "approved", "Guest Reader",
         "Reply to the reply (depth 2)"),
        (ARTICLE, "Reply to the reply (depth 2)", 3, "approved", "Ada Lovelace", "Depth 3"),
        # Deeper than COMMENTS_WIDGET_MAX_DEPTH (3): beside its parent, under the deepest
        # ancestor allowed.
        (ARTICLE, "Reply to the reply (depth 2)", 3, "approved", "Zoë Ångström",
         "Depth 4: deeper than we nest"),
        # The second Disqus thread of the same article (the link differs only by a tracking
        # parameter and a slash) lands in the same thread; a date with no zone is UTC.
        (ARTICLE, None, 0, "deleted", "Ada Lovelace", "I take it back."),
        (ARTICLE, None, 0, "approved", "Guest Reader",
         "A reply to a comment that is not in the export"),
        # A relative <link>, made absolute with --site.
        (RELATIVE, None, 0, "approved", "Ada Lovelace", "On the relative-link article"),
        (RELATIVE, None, 0, "approved", "Guest Reader",
         "A reply whose parent sits on another article"),
    ]
    assert summary.read == 11
    assert summary.comments == {"approved": 8, "spam": 1, "deleted": 1}
    assert summary.skipped == {"no article URL": 1}
    assert summary.adjusted == {too_deep(3): 1, MISSING_PARENT: 1, OTHER_THREAD: 1}
    assert (summary.threads_created, summary.authors_created) == (2, 4)
    lines = "\n".join(summary.lines())
    assert "skipped: no article URL" in lines and "  spam" in lines


def test_imported_html_goes_through_our_sanitiser(make_app: Any) -> None:
    app = make_app()
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    with app.extensions["comments_widget"].session_factory() as db:
        html = "".join(db.scalars(sa.select(Comment.body_html)))
    assert 'href="https://example.org/analysis" rel="nofollow ugc noopener"' in html
    for hostile in ("<script", "alert", "onclick", "onerror", "<img", "target=", "<b>"):
        assert hostile not in html


def test_the_public_payload_is_right_at_once(make_app: Any) -> None:
    app = make_app()
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    payload = public_thread(app)
    assert payload["thread"]["comment_count"] == 6
    assert payload["thread"]["title"] == "Putin and Kim: what the summit means"
    assert [c["html"] for c in payload["comments"]] == [
        '<p>First! The summit was <strong>mostly</strong> theatre, see <a href='
        '"https://example.org/analysis" rel="nofollow ugc noopener">this analysis</a>.</p>',
        "<p>A reply to a comment that is not in the export</p>"]
    assert payload["comments"][0]["created_at"] == "2023-09-13T09:15:00+00:00"
    deepest = payload["comments"][0]["replies"][0]["replies"][0]["replies"]
    assert [c["html"] for c in deepest] == ["<p>Depth 3</p>",
                                            "<p>Depth 4: deeper than we nest</p>"]
    closed = public_thread(app, RELATIVE)["thread"]
    assert closed["closed"] is True and closed["comment_count"] == 2


def test_running_an_import_again_changes_nothing(make_app: Any) -> None:
    app = make_app()
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    before = snapshot(app)
    again = import_export(app, "disqus", EXPORTS / "disqus.xml")
    assert snapshot(app) == before
    assert again.already_imported == 10 and again.stored == 0
    assert (again.threads_created, again.authors_created) == (0, 0)


def test_a_dry_run_stores_nothing_and_says_what_an_import_would_do(make_app: Any) -> None:
    app = make_app()
    empty = snapshot(app)
    dry = import_export(app, "disqus", EXPORTS / "disqus.xml", dry_run=True)
    assert snapshot(app) == empty
    real = import_export(app, "disqus", EXPORTS / "disqus.xml")
    assert dry == real


def test_an_import_that_stopped_halfway_completes_when_run_again(make_app: Any,
                                                                  tmp_path: Path) -> None:
    whole = (EXPORTS / "disqus.xml").read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(whole[:whole.index('<post dsq:id="2006">')])  # Ends mid-document.
    app = make_app()
    with app.app_context(), pytest.raises(Exception, match="not well-formed XML"):
        from comments_widget.importing import disqus
        from comments_widget.importing.writer import Importer
        state = app.extensions["comments_widget"]
        with state.session_factory() as db:
            policy = load_policy(db)
        Importer(state.session_factory, source="disqus", site=SITE, max_depth=3,
                 policy=policy, batch_size=2).run(disqus.read(cut))
    assert 0 < len(snapshot(app)["comments_widget_comments"]) < 10
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    fresh = make_app(COMMENTS_WIDGET_DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    import_export(fresh, "disqus", EXPORTS / "disqus.xml")
    assert sorted(comments(app), key=str) == sorted(comments(fresh), key=str)


def test_imported_authors_keep_only_a_hash_of_their_address_and_cannot_log_in(
        make_app: Any) -> None:
    app = make_app()
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    with app.extensions["comments_widget"].session_factory() as db:
        authors = {r.display_name: r for r in db.scalars(sa.select(Reader))}
    ada = authors["Ada Lovelace"]
    assert ada.email is None and ada.password_hash == ""
    assert ada.imported_email_hash == hashlib.sha256(b"ada@example.org").hexdigest()
    assert authors["Guest Reader"].imported_email_hash is None
    with app.extensions["comments_widget"].session_factory() as db, \
            pytest.raises(WidgetError):
        readers.authenticate(db, "ada@example.org", "")
    assert "ada@example.org" not in str(snapshot(app))


def test_content_rules_hold_an_imported_comment_as_they_would_a_new_one(make_app: Any) -> None:
    app = make_app()
    with app.extensions["comments_widget"].session_factory() as db:
        save_policy(db, replace(load_policy(db), banned_words=("theatre",)))
        db.commit()
    summary = import_export(app, "disqus", EXPORTS / "disqus.xml")
    assert summary.adjusted[HELD] == 1
    with app.extensions["comments_widget"].session_factory() as db:
        held = db.scalars(sa.select(Comment).where(Comment.status == Status.PENDING)).one()
    assert held.body_source == FIRST and hold_reasons.loads(held.hold_reasons) == [
        HoldReason(hold_reasons.BANNED_WORD, "theatre")]
    assert [c["html"] for c in public_thread(app)["comments"]][0].startswith("<p>A reply")


def test_imported_comments_are_never_announced_by_email(make_app: Any) -> None:
    app = make_app()
    import_export(app, "disqus", EXPORTS / "disqus.xml")
    with app.extensions["comments_widget"].session_factory() as db:
        unannounced = db.scalar(sa.select(sa.func.count()).where(Comment.announced_at.is_(None)))
    assert unannounced == 0


def test_a_relative_link_without_site_is_skipped_and_said(make_app: Any) -> None:
    app = make_app()
    summary = import_export(app, "disqus", EXPORTS / "disqus.xml", site=None)
    assert summary.skipped == {
        "no article URL": 1,
        "article URL not usable (relative without --site, or invalid)": 2}


# -- WordPress --------------------------------------------------------------------------------


def test_wordpress_statuses_paragraphs_and_pingbacks(make_app: Any) -> None:
    app = make_app()
    summary = import_export(app, "wordpress", EXPORTS / "wordpress.xml")
    first = ("First paragraph, with **bold** & an ampersand.\n\nSecond paragraph  \n"
             "with a line break. [click](javascript:alert(1))")
    assert comments(app) == [
        (ARTICLE, None, 0, "approved", "Ada Lovelace", first),
        (ARTICLE, None, 0, "pending", "Waiting Walter", "Held for moderation."),
        # comment_date_gmt 0000-00-00: the local comment_date is used.
        (ARTICLE, first, 1, "approved", "Zoë Ångström",
         "Grüße — 東京 🙂 (no GMT date, local time only)"),
        (ARTICLE, None, 0, "spam", "Cheap Pills", "buy pills"),
        (ARTICLE, None, 0, "deleted", "Ada Lovelace", "Trashed by the author."),
        (ARTICLE, None, 0, "approved", "The Editor",
         "Reply to a comment that was deleted from the database."),
        (f"{SITE}/2023/10/closed", None, 0, "approved", "Ada Lovelace", "Before it closed."),
    ]
    assert summary.skipped == {"pingback (not a comment)": 1, "trackback (not a comment)": 1}
    assert summary.adjusted == {MISSING_PARENT: 1}
    assert summary.read == 9
    html = public_thread(app)["comments"][0]["html"]
    assert html == ("<p>First paragraph, with <strong>bold</strong> &amp; an ampersand.</p>\n"
                    "<p>Second paragraph<br>\nwith a line break. [click](javascript:alert(1))"
                    "</p>")
    assert public_thread(app, f"{SITE}/2023/10/closed")["thread"]["closed"] is True
    # Two addresses differing only in case are one author.
    assert summary.authors_created == 5


# -- Remark42 and Commento ---------------------------------------------------------------------


def test_remark42_backup_with_votes_deleted_parents_and_nanosecond_times(make_app: Any) -> None:
    app = make_app()
    summary = import_export(app, "remark42", EXPORTS / "remark42.jsonl")
    assert comments(app) == [
        (ARTICLE, None, 0, "approved", "Ada Lovelace", "Hello from **Remark42**"),
        (ARTICLE, "Hello from **Remark42**", 1, "approved", "Zoë Ångström", "Grüße — 東京 🙂"),
        (ARTICLE, None, 0, "deleted", "Ada Lovelace", ""),
        (ARTICLE, "", 1, "approved", "Anonymous", "Only HTML here"),
    ]
    payload = public_thread(app)
    assert payload["comments"][0]["created_at"] == "2019-06-08T19:12:05.123456+00:00"
    assert (payload["comments"][0]["up"], payload["comments"][0]["down"]) == (2, 0)
    assert payload["comments"][0]["replies"][0]["down"] == 1
    assert summary.comments == {"approved": 3, "deleted": 1}


def test_commento_export_states_scores_and_anonymous_readers(make_app: Any) -> None:
    app = make_app()
    summary = import_export(app, "commento", EXPORTS / "commento.json")
    assert comments(app) == [
        (ARTICLE, None, 0, "approved", "Ada Lovelace", "Hello from *Commento*"),
        (ARTICLE, "Hello from *Commento*", 1, "pending", "Anonymous", "An anonymous reply"),
        (ARTICLE, None, 0, "pending", "Zoë Ångström", "Flagged one"),
        (ARTICLE, None, 0, "deleted", "Ada Lovelace", "[deleted]"),
        (f"{SITE}/2023/10/other", None, 0, "approved", "Zoë Ångström", "Grüße — 東京 🙂"),
    ]
    assert summary.adjusted == {OTHER_THREAD: 1}
    assert public_thread(app)["comments"][0]["up"] == 3


# -- Isso, written by Isso itself ---------------------------------------------------------------


@pytest.fixture(scope="module")
def isso_python() -> Path:
    """A venv with Isso 0.14.0 (the one bench/ uses), made once."""
    directory = ROOT / "bench" / ".isso-venv"
    python = directory / "bin" / "python"
    if not python.exists():
        venv.create(directory, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "isso==0.14.0",
                        "gunicorn"], check=True)
    return python


def test_isso_database_written_by_isso(make_app: Any, isso_python: Path,
                                       tmp_path: Path) -> None:
    database = tmp_path / "isso.db"
    subprocess.run([str(isso_python), str(ROOT / "tests" / "isso_writer.py"), str(database)],
                   check=True, cwd=tmp_path)
    app = make_app()
    summary = import_export(app, "isso", database)
    first = "First, with **Markdown** and <script>alert(1)</script>"
    assert comments(app) == [
        (ARTICLE, None, 0, "approved", "Ada Lovelace", first),
        (ARTICLE, first, 1, "approved", "Zoë Ångström", "Grüße — 東京 🙂"),
        (ARTICLE, first, 1, "approved", "Anonymous", "A reply to the reply"),
        (ARTICLE, None, 0, "pending", "Walter", "Waiting for a moderator"),
        # Isso's delete keeps the address, so the deleted comment is still Ada's.
        (ARTICLE, None, 0, "deleted", "Ada Lovelace", ""),
        (ARTICLE, "", 1, "approved", "Bob", "Reply to the deleted one"),
        (f"{SITE}/2023/10/other", None, 0, "approved", "Ada Lovelace", "On the other article"),
        (ARTICLE, None, 0, "approved", "Bob", "My parent is on another article"),
        (ARTICLE, None, 0, "approved", "Bob", "My parent is gone"),
    ]
    assert summary.adjusted == {OTHER_THREAD: 1, MISSING_PARENT: 1}
    top = public_thread(app)["comments"][0]
    assert top["html"] == ("<p>First, with <strong>Markdown</strong> and "
                           "&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert (top["up"], top["down"]) == (2, 1)
    assert top["created_at"] == "2023-09-13T09:15:00.250000+00:00"
    assert import_export(app, "isso", database).already_imported == 9


def test_isso_needs_the_site_for_its_relative_uris(make_app: Any, isso_python: Path,
                                                   tmp_path: Path) -> None:
    database = tmp_path / "isso.db"
    subprocess.run([str(isso_python), str(ROOT / "tests" / "isso_writer.py"), str(database)],
                   check=True, cwd=tmp_path)
    app = make_app()
    summary = import_export(app, "isso", database, site=None)
    assert summary.stored == 0
    assert summary.skipped == {
        "article URL not usable (relative without --site, or invalid)": 9}


# -- gzipped exports, as Disqus, Remark42 and Commento hand them out -----------------------------


@pytest.mark.parametrize(("export_format", "name"), [
    ("disqus", "disqus.xml"), ("wordpress", "wordpress.xml"), ("remark42", "remark42.jsonl"),
    ("commento", "commento.json")])
def test_a_gzipped_export_imports_as_the_plain_one(make_app: Any, tmp_path: Path,
                                                   export_format: str, name: str) -> None:
    zipped = tmp_path / f"{name}.gz"
    zipped.write_bytes(gzip.compress((EXPORTS / name).read_bytes()))
    plain_app, zipped_app = make_app(), make_app(
        COMMENTS_WIDGET_DATABASE_URL=f"sqlite:///{tmp_path / 'zipped.sqlite3'}")
    assert import_export(zipped_app, export_format, zipped) == import_export(
        plain_app, export_format, EXPORTS / name)
    assert sorted(comments(zipped_app), key=str) == sorted(comments(plain_app), key=str)


@pytest.mark.parametrize(("export_format", "name"), [
    ("disqus", "disqus.xml"), ("remark42", "remark42.jsonl"), ("commento", "commento.json")])
def test_a_gzipped_export_cut_short_is_refused_clearly(make_app: Any, tmp_path: Path,
                                                       export_format: str, name: str) -> None:
    data = gzip.compress((EXPORTS / name).read_bytes())
    cut = tmp_path / f"{name}.gz"
    cut.write_bytes(data[:len(data) // 2])
    result = make_app().test_cli_runner().invoke(
        args=["comments-widget", "import", export_format, str(cut), "--site", SITE])
    assert result.exit_code == 1
    assert "Error:" in result.output and cut.name in result.output


# -- the command ---------------------------------------------------------------------------------


def test_the_command_prints_a_summary(make_app: Any) -> None:
    app = make_app()
    result = app.test_cli_runner().invoke(args=[
        "comments-widget", "import", "disqus", str(EXPORTS / "disqus.xml"), "--site", SITE,
        "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "comments stored" in result.output and "10" in result.output
    assert len(comments(app)) == 10


@pytest.mark.parametrize(("export_format", "content", "message"), [
    ("disqus", "not xml at all", "not well-formed XML"),
    ("wordpress", "<rss><nothing/></rss>", "not a WordPress export"),
    ("disqus", "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY a 'aaaa'>]><disqus>&a;</disqus>",
     "declares a DTD or entities"),
    ("remark42", "{broken", "line 1 is not JSON"),
    ("commento", "[]", "not a Commento export"),
    ("isso", "not a database", "not an Isso database"),
    ("native", "{}", "not a comments_widget export"),
])
def test_a_broken_export_is_refused_with_a_clear_error_and_nothing_stored(
        make_app: Any, tmp_path: Path, export_format: str, content: str, message: str) -> None:
    app = make_app()
    empty = snapshot(app)
    bad = tmp_path / "export"
    bad.write_text(content)
    result = app.test_cli_runner().invoke(
        args=["comments-widget", "import", export_format, str(bad)])
    assert result.exit_code != 0
    assert message in result.output
    assert snapshot(app) == empty


def test_site_must_be_an_origin(make_app: Any) -> None:
    result = make_app().test_cli_runner().invoke(args=[
        "comments-widget", "import", "disqus", str(EXPORTS / "disqus.xml"), "--site",
        "https://news.example/path"])
    assert result.exit_code == 2
    assert "is not an origin" in result.output
