"""The example news site: a front page and article pages that embed the comments."""

from __future__ import annotations

import requests
from flask import Flask, abort, current_app, render_template, request
from markupsafe import Markup

from example_site.articles import SECTIONS, load_articles


def create_news_app(comments_server: str | None) -> Flask:
    """The news site. `comments_server` is the comment server's base URL (another origin);
    None means the comments blueprint is mounted in this same app (see same_origin.py)."""
    app = Flask(__name__)
    articles = load_articles()
    by_path = {article.path: article for article in articles}

    @app.context_processor
    def embed_settings() -> dict[str, object]:
        base = comments_server or request.host_url.rstrip("/")
        return {"embed_src": f"{base}/comments/embed.js", "sections": SECTIONS}

    @app.get("/")
    def front_page() -> str:
        return render_template("front.html", articles=articles,
                               site=request.host_url.rstrip("/"))

    def server_thread(article_url: str) -> Markup:
        """The comments as HTML inside the embed's element, for readers without JavaScript and
        for search engines: the template helper when comments_widget is mounted here, else
        fetched from the comment server (any host can do this, in any language)."""
        if comments_server is None:
            return current_app.jinja_env.globals["comments_thread"](article_url)
        try:
            answer = requests.get(f"{comments_server}/comments/thread",
                                  params={"url": article_url}, timeout=2)
        except requests.RequestException:
            return Markup("")
        return Markup(answer.text) if answer.ok else Markup("")

    @app.get("/<int:year>/<int:month>/<slug>")
    def article_page(year: int, month: int, slug: str) -> str:
        article = by_path.get(f"/{year}/{month:02d}/{slug}")
        if article is None:
            abort(404)
        article_url = request.host_url.rstrip("/") + article.path
        return render_template("article.html", article=article, article_url=article_url,
                               server_thread=server_thread(article_url))

    return app
