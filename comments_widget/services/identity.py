"""What a reader may call themselves and which passwords they may choose.

Display names are what other readers trust: "Editor" or "Ｍod" in a full-width font must not
pass for staff. Passwords are checked against zxcvbn's list of the 30,000 most common ones.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from confusable_homoglyphs import confusables
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from comments_widget.errors import InvalidInput
from comments_widget.i18n import gettext as _

MAX_DISPLAY_NAME = 80
MAX_PASSWORD_LENGTH = 1024
# Names that only staff should appear to hold, whatever the staff accounts are called.
RESERVED_NAMES = ("admin", "administrator", "moderator", "mod", "editor", "staff", "support",
                  "comments", "system")


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(password: str, email: str, min_length: int) -> None:
    """InvalidInput unless the password is long enough, uncommon and not the email address."""
    if len(password) < min_length:
        raise InvalidInput(_("Passwords need at least {n} characters.", n=min_length),
                           code="password_too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(_("Passwords can be at most {n} characters.", n=MAX_PASSWORD_LENGTH),
                           code="password_too_long")
    lowered = password.lower()
    email = email.strip().lower()
    if lowered in (email, email.partition("@")[0]):
        raise InvalidInput(_("Your password cannot be your email address."),
                           code="password_is_email")
    if lowered in _common_passwords() or lowered.replace(" ", "") in _common_passwords():
        raise InvalidInput(_("That password is one of the most common ones; choose another."),
                           code="password_too_common")


def _is_invisible(char: str) -> bool:
    # Cc: control characters (NUL included); Cf: format characters such as bidirectional
    # overrides (U+202E) and zero-width joiners, which let "Ada" and "A\u200bda" differ.
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_display_name(name: str) -> str:
    """NFKC-normalised, invisible characters removed, runs of white space made one space."""
    normalized = unicodedata.normalize("NFKC", name)
    visible = "".join(char for char in normalized if not _is_invisible(char))
    return " ".join(visible.split())


def _latin_look_alike(char: str) -> str:
    found = confusables.is_confusable(char, preferred_aliases=["latin"]) if not char.isascii() \
        else None
    if found:
        for glyph in found[0]["homoglyphs"]:
            if len(glyph["c"]) == 1 and glyph["c"].isascii():
                return glyph["c"]
    return char


# Look-alikes within plain ASCII that the Unicode table does not list as confusable.
_ASCII_FOLD = str.maketrans({"0": "o", "1": "l", "i": "l", "3": "e", "5": "s", "|": "l"})


def skeleton(name: str) -> str:
    """A form under which names that look alike compare equal (case, script, spacing, 0/O)."""
    folded = "".join(_latin_look_alike(char) for char in clean_display_name(name))
    # Accents off ("Éditor", "E\u0301ditor" read as "Editor"), then case and punctuation.
    bare = "".join(char for char in unicodedata.normalize("NFKD", folded)
                   if unicodedata.category(char) != "Mn")
    letters = "".join(char for char in bare.casefold() if char.isalnum())
    return letters.translate(_ASCII_FOLD)


def check_display_name(name: str, staff_names: Iterable[str], reserved: bool = True) -> str:
    """The cleaned name, or InvalidInput when it is empty, too long or looks like staff (or,
    with `reserved`, like one of RESERVED_NAMES)."""
    cleaned = clean_display_name(name)
    if not cleaned:
        raise InvalidInput(_("Choose a display name."), code="display_name_required")
    if len(cleaned) > MAX_DISPLAY_NAME:
        raise InvalidInput(_("Display names are at most {n} characters.", n=MAX_DISPLAY_NAME),
                           code="display_name_too_long")
    shape = skeleton(cleaned)
    taken = {skeleton(staff) for staff in staff_names}
    if reserved:
        taken |= {skeleton(n) for n in RESERVED_NAMES}
    if shape in taken:
        raise InvalidInput(_("That name is too close to a moderator's or a reserved name; "
                             "choose another."), code="display_name_reserved")
    return cleaned
