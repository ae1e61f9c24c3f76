"""The login popup, the account page and their emails speak the embed's language (English and
German) and name the news site they are for."""

from __future__ import annotations

import email.policy
import json
import os
import re
import shutil
import subprocess
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from comments_widget.i18n import LANGUAGES, catalogue
from comments_widget.models import Reader, Site
from tests.conftest import SITE, bearer, create_reader, csrf_token, stored
from tests.deployment import Deployment
from tests.live import screenshot
from tests.smtp import delivered, mail_app

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/comments/login"
REGISTER = "/comments/register"


def extracted_messages() -> set[str]:
    """Every message the code and the reader templates mark for translation."""
    keywords = {"_": None, "gettext": None, "_l": None, "N_": None}
    found = set()
    for method, pattern in (("python", "comments_widget/**.py"),
                            ("jinja2", "templates/comments_widget/*.html")):
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(ROOT), [(pattern, method)], keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    return found


CATALOGUE_LANGUAGES = [code for code in LANGUAGES if code != "en"]


@pytest.mark.parametrize("language", CATALOGUE_LANGUAGES)
def test_every_message_has_its_translation(language: str) -> None:
    messages = extracted_messages()
    assert len(messages) > 100
    translated_messages = catalogue(language)
    assert sorted(messages - translated_messages.keys()) == []
    same = 0
    for english, translated in translated_messages.items():
        placeholders = sorted(re.findall(r"\{\w+\}", english))
        assert sorted(re.findall(r"\{\w+\}", translated)) == placeholders, english
        # The markup a message carries (<strong>, a link) comes through whole.
        assert sorted(re.findall(r"</?\w+", translated)) == \
            sorted(re.findall(r"</?\w+", english)), english
        same += english == translated
    assert same <= 6, f"{language}: {same} messages left in English"


def test_arabic_and_hebrew_pages_are_right_to_left(client: FlaskClient) -> None:
    for language, heading in (("ar", "سجّل الدخول لتعلّق"), ("he", "כדי להגיב צריך להתחבר")):
        html = page(client, f"{LOGIN}?origin={SITE}&lang={language}")
        assert f'<html lang="{language}" dir="rtl">' in html
        assert f"<h1>{heading}</h1>" in html
    assert '<html lang="pl" dir="ltr">' in page(client, f"{LOGIN}?origin={SITE}&lang=pl")


def page(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_popup_speaks_german_when_the_embed_does(client: FlaskClient) -> None:
    html = page(client, f"{LOGIN}?origin={SITE}&lang=de")
    assert '<html lang="de" dir="ltr">' in html
    assert "<h1>Anmelden zum Kommentieren</h1>" in html
    assert ">E-Mail</label>" in html and ">Passwort</label>" in html
    assert "Konto anlegen" in html and "Log in" not in html
    # The links to the other popup pages carry the language on.
    assert f'href="/comments/register?origin={SITE}&amp;lang=de"' in html
    # And the choice is remembered for pages reached without it.
    assert "<h1>Konto anlegen</h1>" in page(client, REGISTER)


def test_form_errors_are_german_too(client: FlaskClient, session: Session) -> None:
    page(client, f"{REGISTER}?lang=de")
    response = client.post(f"{REGISTER}?lang=de", data={
        "csrf_token": csrf_token(client, f"{REGISTER}?lang=de"), "display_name": "Ada",
        "email": "", "password": "short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dieses Feld wird benötigt." in html  # WTForms' own German
    assert stored(session, Reader) == []
    response = client.post(f"{REGISTER}?lang=de", data={
        "csrf_token": csrf_token(client, f"{REGISTER}?lang=de"), "display_name": "Ada",
        "email": "ada@example.org", "password": "short"})
    assert "Passwörter brauchen mindestens 8 Zeichen." in response.get_data(as_text=True)
    assert stored(session, Reader) == []


def test_a_wrong_password_is_said_in_german(client: FlaskClient, session: Session) -> None:
    reader = create_reader(session)
    response = client.post(f"{LOGIN}?lang=de", data={
        "csrf_token": csrf_token(client, f"{LOGIN}?lang=de"), "email": reader.email,
        "password": "not the password"})
    assert "Zu dieser E-Mail-Adresse und diesem Passwort gibt es kein Konto." in \
        response.get_data(as_text=True)


def test_the_browsers_language_is_the_default(client: FlaskClient) -> None:
    assert "<h1>Anmelden zum Kommentieren</h1>" in page(
        client, LOGIN, **{"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    assert "<h1>Connectez-vous pour commenter</h1>" in page(
        client.application.test_client(), LOGIN, **{"Accept-Language": "fr, en;q=0.5"})
    assert "<h1>Log in to comment</h1>" in page(
        client.application.test_client(), LOGIN, **{"Accept-Language": "ja, en;q=0.5"})


@pytest.mark.parametrize("asked", ["xx", "ja", "", "de'><script>", "DE"])
def test_an_unknown_language_falls_back_to_english(client: FlaskClient, asked: str) -> None:
    html = page(client, f"{LOGIN}?lang={asked}")
    expected = "Anmelden zum Kommentieren" if asked[:2].lower() == "de" else "Log in to comment"
    assert f"<h1>{expected}</h1>" in html and "<script>" not in html


def test_pages_name_the_site_from_the_dashboard(app: Flask, session: Session) -> None:
    session.add(Site(origin="https://other.example", name="The <Daily> Example"))
    session.commit()
    app.extensions["comments_widget"].settings.invalidate()
    html = page(app.test_client(), f"{LOGIN}?origin=https://other.example")
    assert '<p class="site">The &lt;Daily&gt; Example</p>' in html
    assert "<title>Log in to comment · The &lt;Daily&gt; Example</title>" in html
    # A site without a name is called by its host; a page opened without one, by ours.
    assert '<p class="site">news.example</p>' in page(app.test_client(),
                                                      f"{LOGIN}?origin={SITE}")
    assert '<p class="site">localhost</p>' in page(app.test_client(), LOGIN)


def test_the_configured_name_is_used_when_the_dashboard_has_none(make_app: Any) -> None:
    app = make_app(COMMENTS_WIDGET_SITE_NAME="Daily Example Comments")
    assert '<p class="site">Daily Example Comments</p>' in page(
        app.test_client(), f"{LOGIN}?origin={SITE}")


def test_a_reset_email_asked_for_in_german_is_german(
        make_app: Any, smtp_server: tuple[int, Path]) -> None:
    app = mail_app(make_app, smtp_server[0], COMMENTS_WIDGET_SITE_NAME="Tagesbeispiel")
    with app.extensions["comments_widget"].session_factory() as session:
        reader = create_reader(session)
    client = app.test_client()
    forgot = "/comments/forgot?lang=de"
    response = client.post(forgot, data={"email": reader.email,
                                         "csrf_token": csrf_token(client, forgot)})
    assert "Bitte sehen Sie in Ihr E-Mail-Postfach" in response.get_data(as_text=True)
    [raw] = delivered(smtp_server[1], 1)
    message = message_from_bytes(bytes(raw), policy=email.policy.default)
    assert message["Subject"] == "Setzen Sie Ihr Passwort für Tagesbeispiel zurück"
    text = message.get_body(("plain",)).get_content()
    assert "Hallo Ada," in text and "Neues Passwort wählen" in text
    assert "lang=de" in text  # The link opens the reset page in German too.


@pytest.mark.browser
@pytest.mark.slow
def test_a_german_embed_opens_a_german_popup(deployment: Deployment) -> None:
    d = deployment
    d.open_article()
    d.page.evaluate("""() => { const el = document.getElementById("comments");
        el.setAttribute("data-comments-lang", "de"); CommentsWidget.render(el); }""")
    with d.page.expect_popup() as popup_info:
        d.page.get_by_role("link", name="Anmelden").click()
    popup = popup_info.value
    popup.get_by_role("heading", name="Anmelden zum Kommentieren").wait_for()
    assert popup.locator("p.site").inner_text() == "127.0.0.1"
    screenshot(popup, "popup-german")
    popup.get_by_role("link", name="Konto anlegen").click()
    popup.get_by_label("Anzeigename").fill("Jutta")
    popup.get_by_label("E-Mail").fill("jutta@example.org")
    popup.get_by_label("Passwort").fill("ein langes Passwort")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Konto anlegen").click()
    d.page.locator("#comments .compose").get_by_text("Angemeldet als Jutta.").wait_for()



def test_the_embeds_other_languages_are_one_small_public_cacheable_file(
        client: FlaskClient) -> None:
    response = client.get("/comments/lang/de.json")
    assert response.status_code == 200
    assert response.get_json()["leave"] == "Kommentar schreiben"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.cache_control.public and response.cache_control.max_age == 300
    response.close()
    for missing in ("xx", "..%2Fembed", "de.json%00"):
        assert client.get(f"/comments/lang/{missing}.json").status_code in (400, 404)


def english_strings() -> dict:
    """The embed's English, read out of embed.js with Node.js (the file is the source)."""
    embed = (ROOT / "static" / "embed.js").read_text()
    start = embed.index("en: {") + 4
    literal = embed[start:embed.index("\n    }\n  };", start) + 6]
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Node.js is required in CI")
        pytest.skip("Node.js is not installed (.ci/run installs it)")
    out = subprocess.run([node, "-e", f"console.log(JSON.stringify({literal}))"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    return json.loads(out)


LANGUAGE_FILES = sorted((ROOT / "static" / "lang").glob("*.json"))


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda p: p.stem)
def test_each_embed_language_is_complete_and_really_translated(path: Path) -> None:
    english = english_strings()
    strings = json.loads(path.read_text(encoding="utf-8"))
    assert set(english) - {"code"} == set(strings) - {"dir"}, path.stem
    plural_tags = set(Locale.parse(path.stem).plural_form.tags) | {"other"}
    same = 0
    for key, value in english.items():
        if key == "code":
            continue
        theirs = strings[key]
        if isinstance(value, dict) and set(value) == {"one", "other"}:
            # Every plural form of the language (Polish: one, few, many, other).
            assert set(theirs) == plural_tags, (path.stem, key)
            pairs = [(value.get(tag, value["other"]), text) for tag, text in theirs.items()]
        elif isinstance(value, dict):
            assert set(theirs) == set(value), (path.stem, key)
            pairs = [(value[name], theirs[name]) for name in value]
        else:
            pairs = [(value, theirs)]
        for source, translated in pairs:
            wanted, found = (set(re.findall(r"\{\w+\}", text)) for text in (source, translated))
            # Only a plural form for one exact number ("one comment", Arabic "two") may say it
            # in words instead of {n}.
            exact = isinstance(value, dict) and translated in [theirs.get(tag) for tag in
                                                                ("zero", "one", "two")]
            assert found == wanted or (exact and found <= wanted), (path.stem, key, translated)
            same += source == translated
    assert same <= 4, f"{path.stem}: {same} strings left in English"
    assert strings.get("dir", "ltr") == ("rtl" if path.stem in ("ar", "he") else "ltr")


def test_the_api_words_a_readers_refusals_in_the_embeds_language(
        client: FlaskClient, session: Session) -> None:
    headers = {**bearer(session, create_reader(session)), "Accept-Language": "pl"}
    empty = client.post("/comments/api/v1/comments", json={"url": f"{SITE}/a", "body": " "},
                        headers=headers)
    assert empty.status_code == 400 and empty.get_json() == {
        "error": "body_required", "message": "Napisz coś przed opublikowaniem."}
    long = client.post("/comments/api/v1/comments",
                       json={"url": f"{SITE}/a", "body": "x" * 10_001},
                       headers={**headers, "Accept-Language": "de"})
    assert long.get_json()["message"] == \
        "Kommentare dürfen höchstens 10,000 Zeichen lang sein; dieser hat 10,001."
    english = client.post("/comments/api/v1/comments", json={"url": f"{SITE}/a", "body": ""},
                          headers={"Authorization": headers["Authorization"]})
    assert english.get_json()["message"] == "Write something before posting."
