"""The reader pages' forms; flask-wtf adds and checks the CSRF token on each."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField, i18n
from wtforms.validators import DataRequired, Email, EqualTo, Length

from comments_widget.i18n import current_language
from comments_widget.i18n import lazy_gettext as _l
from comments_widget.services.identity import MAX_DISPLAY_NAME, MAX_PASSWORD_LENGTH


class ReaderForm(FlaskForm):
    """A reader page's form: labels ours, WTForms' own messages ("This field is required.")
    from WTForms' catalogues, both in the reader's language."""

    class Meta:
        def get_translations(self, form: Any) -> Any:
            return i18n.get_translations([current_language()])


class LoginForm(ReaderForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Log in"))


class RegisterForm(ReaderForm):
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=MAX_DISPLAY_NAME)],
        description=_l("Shown beside your comments."),
    )
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l("Never shown to other readers."))
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Create account"))


class ConfirmForm(ReaderForm):
    """A button and a CSRF token: continue as the logged-in reader, or log out."""

    submit = SubmitField(_l("Continue"))


class ForgotForm(ReaderForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l("The address you registered with."))
    submit = SubmitField(_l("Send me a link"))


class ResetForm(ReaderForm):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Set password"))


class NameForm(ReaderForm):
    display_name = StringField(_l("Display name"),
                               validators=[DataRequired(), Length(max=MAX_DISPLAY_NAME)])
    submit = SubmitField(_l("Save name"))


class EmailChangeForm(ReaderForm):
    email = EmailField(_l("New email"), validators=[
        DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Your password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Change email"))


class PasswordChangeForm(ReaderForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Change password"))


class EraseForm(ReaderForm):
    """Deleting one's account: the password (where there is one) and an explicit yes."""

    password = PasswordField(_l("Your password"), validators=[Length(max=MAX_PASSWORD_LENGTH)])
    sure = BooleanField(_l("I understand that my account is deleted for good"),
                        validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Delete my account"))


class EmailPreferencesForm(ReaderForm):
    digest = BooleanField(_l("Email me when comments wait for review"))
    decisions = BooleanField(_l("Email me when a moderator publishes or turns down a comment "
                                "of mine that was held for review"))
    replies = BooleanField(_l("Email me when someone replies to my comments"))
    submit = SubmitField(_l("Save email preferences"))
