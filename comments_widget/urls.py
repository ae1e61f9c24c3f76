"""Thread keys: one article, one key, however the reader's URL was decorated."""

from __future__ import annotations

import contextlib
import functools
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
     "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
     "vero_id", "s_cid"}
)
MAX_URL_LENGTH = 2000
MAX_KEY_BYTES = 2000


class InvalidUrl(ValueError):
    """The value is not an absolute http(s) URL we can key a thread by."""


def _split(url: str) -> tuple[str, str, int | None, str, str]:
    if not url.strip():
        raise InvalidUrl("the article URL is missing")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidUrl(f"the article URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise InvalidUrl(f"the article URL is malformed ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidUrl("the article URL must be an absolute http:// or https:// URL")
    host = parts.hostname.lower().rstrip(".")
    # A host that is not IDNA-encodable keeps its lower-cased form, still a stable key.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return scheme, host, port, parts.path, parts.query


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMETERS


@functools.lru_cache(maxsize=8192)
def normalize_url(url: str) -> str:
    """Return the thread key of an article URL (DESIGN.md, "Threads keyed by article URL").

    Pure, so cached: listing pages ask for the same URLs over and over.
    """
    if not isinstance(url, str):
        raise InvalidUrl("the article URL is missing")
    scheme, host, port, path, query = _split(url)
    netloc = host if port is None else f"{host}:{port}"
    if not path:
        path = "/"
    elif path != "/":
        path = path.rstrip("/") or "/"
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_tracking(k)]
    kept.sort()
    key = urlunsplit((scheme, netloc, path, urlencode(kept), ""))
    # Bytes, not characters: 1,000 CJK characters are 3,000 bytes, past what PostgreSQL can
    # put in one index row of the unique key.
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidUrl(f"the article URL is longer than {MAX_KEY_BYTES} bytes")
    return key


@functools.lru_cache(maxsize=1024)
def origin_of(url: str) -> str | None:
    """The scheme://host[:port] of a URL, normalised, or None if it has no http(s) origin."""
    if not isinstance(url, str):
        return None
    try:
        scheme, host, port, _, _ = _split(url)
    except InvalidUrl:
        return None
    return f"{scheme}://{host}" if port is None else f"{scheme}://{host}:{port}"


def safe_redirect_target(target: str | None, allowed_origins: frozenset[str]) -> str | None:
    """`target` if following it stays on this server or an allowed site, else None.

    Answers open redirects: a login link that bounces readers to an attacker's look-alike page.
    """
    if not target or any(ch in target for ch in "\\\r\n\t") or len(target) > MAX_URL_LENGTH:
        return None
    if target.startswith("/") and not target.startswith("//"):
        return target
    return target if origin_of(target) in allowed_origins else None
