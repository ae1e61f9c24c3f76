"""Targets at least 24×24 CSS pixels (WCAG 2.2, 2.5.8; issue #9, item 11): every control the
embed draws, at phone width, logged in, with votes, replies and the follow toggles showing."""

from __future__ import annotations

import pytest

from tests.axe import violations
from tests.deployment import Deployment, logged_in
from tests.live import screenshot
from tests.test_embed_live import other_reader

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMALL = """root => [...root.querySelectorAll('button, a, select, input, textarea')]
    .filter(el => !el.closest('.body'))  // links inside a comment's text are inline text
    .filter(el => !el.closest('[aria-hidden="true"]'))  // the spam trap: off-screen, unreachable
    .map(el => { const r = el.getBoundingClientRect();
                 return [el.textContent.trim() || el.tagName, Math.round(r.width),
                         Math.round(r.height)]; })
    .filter(([, w, h]) => w < 24 || h < 24)"""


def test_every_control_is_at_least_24_pixels_at_phone_width(deployment: Deployment) -> None:
    d = deployment
    ben = other_reader(d)
    first = ben("A comment with a [link](https://news.example/r) in its text.")
    ben("And a reply.", first)
    d.page.set_viewport_size({"width": 390, "height": 844})
    logged_in(d)
    d.page.locator("#comments .vote").first.wait_for()
    small = d.page.locator("#comments").evaluate(
        "(host, fn) => eval(fn)(host.shadowRoot)", SMALL)
    assert small == []
    screenshot(d.page.locator("#comments"), "embed-390-logged-in")
    assert violations(d.page) == []
