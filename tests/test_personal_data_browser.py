"""In Chromium: a reader downloads their data and deletes their account from the embed's
"Your account" link, and the article shows their comment as "Deleted account"."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deployment import Deployment, logged_in
from tests.live import screenshot
from tests.test_embed_own_comments import post_comment


def test_a_reader_downloads_their_data_then_deletes_their_account(
        deployment: Deployment) -> None:
    d = deployment
    compose = logged_in(d)
    post_comment(d, compose, "My view on the *summit*.", "My view on the summit.")
    with d.context.expect_page() as opened:
        compose.get_by_role("link", name="Your account").click()
    account = opened.value
    account.wait_for_load_state()
    assert account.url.startswith(d.comments + "/comments/account")

    with account.expect_download() as downloading:
        account.get_by_role("link", name="Download my data").click()
    download = downloading.value
    assert download.suggested_filename.startswith("comments-data-")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["profile"]["email"] == "ada@example.org"
    assert [c["text"] for c in data["comments"]] == ["My view on the *summit*."]
    assert data["comments"][0]["article_url"].endswith("/2023/09/putin-kim")

    erase = account.get_by_role("region", name="Delete my account")
    erase.get_by_role("button", name="Delete my account").click()  # Nothing ticked yet.
    erase = account.get_by_role("region", name="Delete my account")
    erase.get_by_text("Tick the box to confirm.").wait_for()
    erase.get_by_label("Your password").fill("a long enough password")
    erase.get_by_label("I understand that my account is deleted for good").check()
    screenshot(account, "account-delete")
    erase.get_by_role("button", name="Delete my account").click()
    account.get_by_role("heading", name="Your account is deleted").wait_for()
    assert "shown as written by “Deleted account”" in account.inner_text("body")

    d.page.reload()
    mine = d.page.locator("#comments article", has_text="My view on the summit.")
    mine.wait_for()
    assert "Deleted account" in mine.inner_text()
    d.page.get_by_role("link", name="Log-in").wait_for()  # The embed's login ended too.
    screenshot(d.page.locator("#comments"), "embed-after-erasure")
