"""`comments-widget import` and `comments-widget export`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from comments_widget.importing import commento, disqus, isso, native, remark42, wordpress
from comments_widget.importing.records import ImportError_, SourceComment
from comments_widget.importing.writer import Importer, ImportSummary
from comments_widget.services.policy import load_policy
from comments_widget.state import current_state
from comments_widget.urls import origin_of

FORMATS = ("disqus", "wordpress", "isso", "remark42", "commento", "native")


def _site(site: str | None) -> str | None:
    if site is None:
        return None
    origin = origin_of(site)
    if origin is None or origin != site.rstrip("/"):
        raise click.BadParameter(f"{site!r} is not an origin such as https://news.example",
                                 param_hint="--site")
    return origin


def read_export(export_format: str, path: Path, site: str | None,
                skipped: dict[str, int]) -> Iterator[SourceComment]:
    """The export's comments, streamed; what is skipped while reading lands in `skipped`."""
    if export_format == "disqus":
        return disqus.read(path)
    if export_format == "wordpress":
        return wordpress.read(path, skipped)
    if export_format == "isso":
        return isso.read(path, site)
    if export_format == "remark42":
        return remark42.read(path)
    return commento.read(path, site)


def run_import(export_format: str, path: Path, site: str | None, dry_run: bool,
               workers: int, progress: bool = True) -> ImportSummary:
    """Import one export into the app's database (the command's work, callable from tests)."""
    state = current_state()
    with state.session_factory() as session:
        policy = load_policy(session)
    importer = Importer(state.session_factory, source=export_format, site=site,
                        max_depth=current_app.config["COMMENTS_WIDGET_MAX_DEPTH"],
                        policy=policy, dry_run=dry_run, workers=workers)
    skipped: dict[str, int] = {}
    with tqdm(desc=f"{export_format} → comments", unit=" comments", disable=not progress,
              unit_scale=True, mininterval=0.5) as bar:
        summary = importer.run(read_export(export_format, path, site, skipped), bar.update)
    summary.skipped.update(skipped)
    summary.read += sum(skipped.values())
    return summary


@click.command("import")
@with_appcontext
@click.argument("export_format", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", help="The site's origin (https://news.example), for exports whose "
                             "article links are relative (Isso, Commento, some Disqus).")
@click.option("--dry-run", is_flag=True, help="Read and check everything, store nothing.")
@click.option("--workers", type=click.IntRange(min=0), default=min(4, os.cpu_count() or 1),
              show_default=True, help="Processes converting and sanitising bodies (0: none).")
def import_command(export_format: str, file: Path, site: str | None, dry_run: bool,
                   workers: int) -> None:
    """Import FILE, an export of FORMAT; run it again and nothing is imported twice."""
    site = _site(site)
    try:
        if export_format == "native":
            if dry_run:
                raise click.UsageError("--dry-run is not offered for a native restore, which "
                                       "is all or nothing in one transaction.")
            state = current_state()
            with state.session_factory() as session, tqdm(
                    desc="restoring", unit=" rows", unit_scale=True, mininterval=0.5) as bar:
                counts = native.restore(session, file, bar.update)
                session.commit()
            for kind, n in counts.items():
                click.echo(f"{kind + 's':<12} {n:>10,}")
            return
        summary = run_import(export_format, file, site, dry_run, workers)
    except ImportError_ as error:
        raise click.ClickException(str(error)) from error
    if dry_run:
        click.echo("Dry run: nothing was stored. This is what an import would do:")
    for line in summary.lines():
        click.echo(line)


@click.command("export")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--site", help="Only this site's articles (an origin, https://news.example).")
def export_command(file: Path, site: str | None) -> None:
    """Write every thread, comment, reader (no passwords), vote, report and audit entry to
    FILE as JSON lines (docs/export-format.md); `import native FILE` reads it back."""
    site = _site(site)
    partial = file.with_name(file.name + ".partial")
    with current_state().session_factory() as session, partial.open("w", encoding="utf-8") as out, \
            tqdm(desc="exporting", unit=" rows", unit_scale=True, mininterval=0.5) as bar:
        counts = native.export(session, out, site, bar.update)
    partial.replace(file)  # Never a half-written file under the real name.
    for kind, n in counts.items():
        click.echo(f"{kind + 's':<12} {n:>10,}")
    click.echo(f"Wrote {file}.")
