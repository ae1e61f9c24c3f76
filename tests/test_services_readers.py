"""Reader accounts and tokens on their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from comments_widget.errors import Conflict, InvalidInput, NotAuthenticated
from comments_widget.models import Reader
from comments_widget.services import readers
from tests.conftest import PASSWORD, create_reader, stored


def test_display_names_are_trimmed_and_must_not_be_blank(session: Session) -> None:
    reader = readers.register_reader(session, email="a@example.org", display_name="  Ada \n L ",
                                     password=PASSWORD, min_password_length=8)
    assert reader.display_name == "Ada L"
    with pytest.raises(InvalidInput, match="display name"):
        readers.register_reader(session, email="b@example.org", display_name="   ",
                                password=PASSWORD, min_password_length=8)
    with pytest.raises(InvalidInput, match="at most 80"):
        readers.register_reader(session, email="c@example.org", display_name="x" * 81,
                                password=PASSWORD, min_password_length=8)


def test_emails_are_unique_whatever_their_case(session: Session) -> None:
    create_reader(session, "Ada", "ada@example.org")
    with pytest.raises(Conflict):
        readers.register_reader(session, email=" ADA@Example.ORG", display_name="Other",
                                password=PASSWORD, min_password_length=8)
    assert len(stored(session, Reader)) == 1


def test_authenticate_accepts_only_the_right_password(session: Session, reader: Reader) -> None:
    assert readers.authenticate(session, "ADA@example.org", PASSWORD).id == reader.id
    with pytest.raises(NotAuthenticated):
        readers.authenticate(session, reader.email, PASSWORD + "!")


def test_revoked_token_no_longer_finds_its_reader(session: Session, reader: Reader) -> None:
    token = readers.issue_token(session, reader, timedelta(days=1))
    assert readers.reader_for_token(session, token).id == reader.id
    assert readers.revoke_token(session, token) is True
    assert readers.reader_for_token(session, token) is None
    assert readers.revoke_token(session, token) is False
