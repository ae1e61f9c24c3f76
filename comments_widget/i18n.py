"""The reader pages (login popup, account, emails sent from them) in the reader's language.

The embed passes its language as `?lang=de`; the choice is kept in our part of the session so
every page of the popup follows it, and a page opened from an email falls back to the
browser's Accept-Language. Translations are gettext catalogues (`translations/<lang>.po`,
read with Babel); the English text is the message id, so a missing translation shows English,
and tests/test_i18n.py checks that every message in the code has its translation in every
catalogue.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask import g, has_request_context, request, session
from markupsafe import Markup, escape

DEFAULT_LANGUAGE = "en"
CATALOGUES = Path(__file__).resolve().parent / "translations"
# English, and every language with a catalogue (docs/translations.md).
LANGUAGES = (DEFAULT_LANGUAGE, *sorted(path.stem for path in CATALOGUES.glob("*.po")))
RIGHT_TO_LEFT = frozenset({"ar", "he"})
_SESSION_KEY = "comments_widget_lang"
_REQUEST_KEY = "_comments_widget_lang"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """Message id → translation, for one language (English has none: ids are English)."""
    path = CATALOGUES / f"{language}.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        messages = read_po(handle)
    return {str(m.id): str(m.string) for m in messages if m.id and m.string and not m.fuzzy}


def current_language() -> str:
    """`?lang=` if we speak it (remembered for the rest of the popup), else the remembered
    one, else the browser's preference, else English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if _REQUEST_KEY in g:
        return g.get(_REQUEST_KEY)
    asked = request.args.get("lang", "")[:2].lower()
    if asked in LANGUAGES:
        session[_SESSION_KEY] = asked
        language = asked
    elif session.get(_SESSION_KEY) in LANGUAGES:
        language = session[_SESSION_KEY]
    else:
        language = request.accept_languages.best_match(LANGUAGES, DEFAULT_LANGUAGE)
    setattr(g, _REQUEST_KEY, language)
    return language


def text_direction() -> str:
    """"rtl" for Arabic and Hebrew pages, else "ltr"."""
    return "rtl" if current_language() in RIGHT_TO_LEFT else "ltr"


def gettext(message: str, **values: Any) -> str:
    """`message` in the current language, with `{name}` placeholders filled from `values`."""
    translated = catalogue(current_language()).get(message, message)
    return translated.format(**values) if values else translated


_ = gettext


class LazyText:
    """A message translated when it is shown, not when it is defined (form labels)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __mod__(self, values: Any) -> str:
        return str(self) % values

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.message)

    def __len__(self) -> int:
        return len(str(self))


def lazy_gettext(message: str) -> LazyText:
    return LazyText(message)


def markup_gettext(message: str, **values: Any) -> Markup:
    """`_` in templates: the translation is ours and may hold markup (<strong>, a link); the
    values are escaped as they are filled in."""
    translated = Markup(catalogue(current_language()).get(message, message))
    return translated.format(**values) if values else translated


def N_(message: str) -> str:  # noqa: N802 - the gettext convention extractors look for
    """Marks a message for the catalogue where it is defined; `gettext` translates it later."""
    return message
