"""The embed in other languages (issue #9, item 10): right-to-left Arabic and Hebrew mirror the
whole thread, Polish picks its plural forms through Intl.PluralRules, dates and relative times
come from Intl in the embed's language. Real Chromium; each checked by axe too."""

from __future__ import annotations

import pytest

from comments_widget.models import Status
from tests.axe import violations
from tests.conftest import set_status
from tests.deployment import ARTICLE_PATH, Deployment, logged_in
from tests.live import screenshot
from tests.test_embed_live import other_reader

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def speak(d: Deployment, lang: str) -> None:
    """Draw the embed again in `lang`, as data-comments-lang would from the start."""
    d.page.evaluate("""lang => { const host = document.querySelector('#comments');
        host.setAttribute('data-comments-lang', lang); CommentsWidget.render(host); }""", lang)


def test_arabic_turns_the_whole_thread_right_to_left(deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    first = ben("The first comment.")
    ben("A reply, indented from the right.", first)
    d.open_article()
    speak(d, "ar")
    heading = d.page.locator("#comments h2")
    heading.get_by_text("تعليقان").wait_for()  # Arabic's own form for two
    section = d.page.locator("#comments section")
    assert section.get_attribute("dir") == "rtl" and section.get_attribute("lang") == "ar"
    nested = d.page.locator("#comments ol ol").first
    borders = nested.evaluate("""el => { const s = getComputedStyle(el);
        return [s.borderRightWidth, s.borderLeftWidth, s.direction]; }""")
    assert borders == ["2px", "0px", "rtl"]  # the thread line is on the right
    replies_start = nested.evaluate("el => el.getBoundingClientRect().right")
    top_start = d.page.locator("#comments article").first.evaluate(
        "el => el.getBoundingClientRect().right")
    assert replies_start < top_start  # indented from the right
    assert d.page.locator("#comments").get_by_role("link", name="تسجيل الدخول").count() == 1
    screenshot(d.page.locator("#comments"), "embed-rtl-ar")
    assert violations(d.page) == []


def test_hebrew_is_right_to_left_too_and_names_the_popup_language(
        deployment: Deployment) -> None:
    d = deployment
    other_reader(d)("שלום")
    d.open_article()
    speak(d, "he")
    d.page.locator("#comments").get_by_text("תגובה אחת").wait_for()
    assert d.page.locator("#comments section").get_attribute("dir") == "rtl"
    login = d.page.locator("#comments").get_by_role("link", name="התחברות")
    assert "lang=he" in login.get_attribute("href")
    screenshot(d.page.locator("#comments"), "embed-rtl-he")


def test_polish_counts_with_its_plural_forms(deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    ids = [ben(f"Komentarz {i}") for i in range(5)]
    d.open_article()
    speak(d, "pl")
    heading = d.page.locator("#comments h2")
    heading.get_by_text("5 komentarzy").wait_for()  # "many"
    state = d.comment_app.extensions["comments_widget"]
    with state.session_factory() as session:
        for comment_id in ids[2:]:
            set_status(session, comment_id, Status.DELETED)
    d.page.reload()
    speak(d, "pl")
    heading.get_by_text("2 komentarze").wait_for()  # "few"
    assert d.page.locator("#comments section").get_attribute("lang") == "pl"


def test_dates_and_relative_times_speak_the_embeds_language(deployment: Deployment) -> None:
    d = deployment
    other_reader(d)("Frisch geschrieben.")
    d.open_article()
    speak(d, "de")
    time = d.page.locator("#comments article time").first
    d.page.locator("#comments h2").get_by_text("1 Kommentar").wait_for()
    assert time.inner_text() in ("jetzt",) or "Sekunde" in time.inner_text() \
        or "Minute" in time.inner_text()
    assert "November" in time.get_attribute("title") and "2026" in time.get_attribute("title")
    speak(d, "fr")
    d.page.locator("#comments h2").get_by_text("1 commentaire").wait_for()
    french = d.page.locator("#comments article time").first
    assert "novembre" in french.get_attribute("title")
    assert "seconde" in french.inner_text() or "maintenant" in french.inner_text() \
        or "minute" in french.inner_text()


def test_a_logged_in_reader_in_russian_sees_every_control_in_russian(
        deployment: Deployment) -> None:
    d = deployment
    other_reader(d)("Привет")
    logged_in(d)
    speak(d, "ru")
    d.page.locator("#comments").get_by_text("Вы вошли как Ada Reader.").wait_for()
    for name in ("Ответ для Ben", "Пожаловаться", "Отправить комментарий"):
        assert d.page.locator("#comments").get_by_role("button", name=name).count() >= 1, name
    assert d.page.locator("#comments").get_by_label("Сортировка").count() == 0  # one comment
    assert d.page.locator("#comments h2").inner_text() == "1 комментарий"
    assert ARTICLE_PATH in d.page.url


def test_an_arabic_reader_gets_an_arabic_right_to_left_login_popup(
        deployment: Deployment) -> None:
    d = deployment
    d.open_article()
    speak(d, "ar")
    with d.page.expect_popup() as popup_info:
        d.page.locator("#comments").get_by_role("link", name="تسجيل الدخول").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.locator("html").get_attribute("dir") == "rtl"
    assert popup.locator("html").get_attribute("lang") == "ar"
    assert popup.locator("h1").inner_text() == "سجّل الدخول لتعلّق"
    assert popup.get_by_label("كلمة المرور").count() == 1
    screenshot(popup, "popup-rtl-ar")
    # The popup's CSP keeps axe's inline script out; a profile that lets it in checks the page.
    checked = d.browsers.profile("axe", bypass_csp=True).new_page()
    checked.goto(popup.url)
    assert violations(checked, "main") == []


def test_the_servers_refusals_come_in_the_embeds_language(deployment: Deployment) -> None:
    d = deployment
    logged_in(d)
    speak(d, "pl")
    comments = d.page.locator("#comments")
    comments.get_by_role("button", name="Opublikuj komentarz").click()
    comments.get_by_text("Napisz coś przed opublikowaniem.").wait_for()
