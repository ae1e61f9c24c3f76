"""An Akismet-protocol client (https://akismet.com/developers/), one spam checker among others.

Akismet's `comment-check` takes the comment and the request's details as a form post and
answers the body `true` (spam) or `false`; a header `X-akismet-pro-tip: discard` marks blatant
spam. Any other answer, a timeout or a network error is logged and lets the comment through
to the other checks (fail open: a comment is never lost because a service is down).
COMMENTS_WIDGET_AKISMET_URL points it at another service that speaks the same protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import requests

from comments_widget.services.hold_reasons import HoldReason
from comments_widget.services.spam import CHECKER, CheckContext, Submission, Verdict

logger = logging.getLogger(__name__)
DEFAULT_URL = "https://rest.akismet.com/1.1/"
TIMEOUT_SECONDS = 3


class Akismet:
    name = "akismet"

    def __init__(self, api_key: str, blog: str, url: str = DEFAULT_URL,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.api_key, self.blog = api_key, blog
        self.endpoint = url.rstrip("/") + "/comment-check"
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> Akismet:
        key = str(config.get("COMMENTS_WIDGET_AKISMET_KEY") or "")
        blog = str(config.get("COMMENTS_WIDGET_AKISMET_BLOG") or
                   config.get("COMMENTS_WIDGET_PUBLIC_URL") or "")
        if not key or not blog:
            raise ValueError("The akismet checker needs COMMENTS_WIDGET_AKISMET_KEY and "
                             "COMMENTS_WIDGET_AKISMET_BLOG (the site's front page URL).")
        return cls(key, blog, str(config.get("COMMENTS_WIDGET_AKISMET_URL") or DEFAULT_URL))

    def form(self, comment: Submission, context: CheckContext) -> dict[str, str]:
        """The fields Akismet documents for comment-check."""
        return {
            "api_key": self.api_key, "blog": self.blog, "user_ip": comment.client.ip,
            "user_agent": comment.client.user_agent, "referrer": comment.client.referrer,
            "permalink": comment.article_url, "comment_type": "comment",
            "comment_author": comment.author.display_name,
            "comment_author_email": comment.author.email or "",
            "comment_content": comment.body_source,
            "comment_date_gmt": context.now.isoformat(),
            "blog_charset": "UTF-8",
        }

    def check(self, comment: Submission, context: CheckContext) -> Verdict | None:
        try:
            answer = requests.post(self.endpoint, data=self.form(comment, context),
                                   timeout=self.timeout)
        except requests.RequestException as error:
            logger.warning("comments_widget: Akismet unreachable (%s); comment let through",
                           error)
            return None
        body = answer.text.strip()
        if answer.status_code == 200 and body == "true":
            blatant = answer.headers.get("X-akismet-pro-tip") == "discard"
            return Verdict(HoldReason(CHECKER, "Akismet: blatant spam" if blatant
                                      else "Akismet: spam"), spam=True)
        if answer.status_code == 200 and body == "false":
            return None
        logger.warning("comments_widget: Akismet answered %s %r (%s); comment let through",
                       answer.status_code, body[:100],
                       answer.headers.get("X-akismet-debug-help", ""))
        return None
