"""The example news site: the real article, a front page, and the pasted snippet."""

from __future__ import annotations

from pathlib import Path

from example_site.app import create_news_app
from example_site.articles import load_articles

COMMENTS = "http://localhost:5001"


def test_the_real_article_is_parsed_without_the_page_chrome() -> None:
    article = load_articles()[0]
    assert article.headline == "The Putin and Kim Delegation"
    assert article.paragraphs[0].startswith("North Korean Supreme Leader, Kim Jong Un")
    assert article.paragraphs[-1].startswith("This issue was remarked on by Matthew Miller")
    assert article.editor == "Edited by: Anwen Venn"
    assert not any("Share This Post On" in p or "Log-in" in p for p in article.paragraphs)


def test_article_page_embeds_the_comments_from_the_other_origin() -> None:
    client = create_news_app(COMMENTS).test_client()
    html = client.get("/2023/09/putin-kim", base_url="http://127.0.0.1:5000").get_data(
        as_text=True)
    assert "<h1>The Putin and Kim Delegation</h1>" in html
    assert "Vostochny Cosmodrome" in html and "Edited by: Anwen Venn" in html
    assert ('<div id="comments" data-comments-url="http://127.0.0.1:5000/2023/09/putin-kim">'
            in html)
    assert f'<script src="{COMMENTS}/comments/embed.js" async></script>' in html
    assert "You need to login" not in html  # The embed draws that block, not the page.


def test_front_page_lists_articles_with_count_placeholders() -> None:
    client = create_news_app(COMMENTS).test_client()
    html = client.get("/", base_url="http://127.0.0.1:5000").get_data(as_text=True)
    for article in load_articles():
        assert f'data-comments-count="http://127.0.0.1:5000{article.path}"' in html


def test_unknown_article_is_a_404() -> None:
    assert create_news_app(COMMENTS).test_client().get("/2023/09/nope").status_code == 404


def test_article_text_is_the_shared_example_verbatim() -> None:
    ours = Path(__file__).parent.parent / "example_site" / "content" / "putin-kim.txt"
    assert "Pak Thae Song" in ours.read_text(encoding="utf-8")


def test_the_demo_mail_catcher_prints_the_reset_link(make_app, capsys) -> None:  # noqa: ANN001
    from example_site.mail_sink import start_mail_sink
    from tests.conftest import create_reader, csrf_token

    sink, port = start_mail_sink()
    try:
        app = make_app(COMMENTS_WIDGET_SMTP_HOST="127.0.0.1", COMMENTS_WIDGET_SMTP_PORT=port)
        with app.extensions["comments_widget"].session_factory() as session:
            create_reader(session)
        client = app.test_client()
        client.post("/comments/forgot", data={
            "email": "ada@example.org", "csrf_token": csrf_token(client, "/comments/forgot")})
    finally:
        sink.stop()
    printed = capsys.readouterr().out
    assert "── Email to ada@example.org: Reset your password for localhost" in printed
    assert "Choose a new password: http://localhost/comments/reset/" in printed
