"""Dashboard forms; flask-wtf adds and checks the CSRF token on every one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from comments_widget.models import Role


class CsrfOnlyForm(FlaskForm):
    """Buttons whose meaning is in the button (approve, close…): only the token is checked."""


class PolicyForm(FlaskForm):
    premoderation = SelectField("Pre-moderation", choices=[
        SelectChoice("off", "Off: comments go live at once"),
        SelectChoice("all", "All comments wait for a moderator"),
        SelectChoice("first_time", "First-time commenters wait, until they have approved comments"),
    ])
    first_time_threshold = IntegerField(
        "Approved comments before a reader skips pre-moderation", default=1,
        validators=[NumberRange(min=1, max=1000)])
    banned_words = TextAreaField(
        "Banned words", description="One per line. A comment containing one waits for review.",
        validators=[Length(max=20_000)])
    max_links = IntegerField("Hold comments with more links than", validators=[
        Optional(), NumberRange(min=0, max=1000)], description="Empty: no limit.")
    auto_close_days = IntegerField("Close threads this many days after their first comment",
                                   validators=[Optional(), NumberRange(min=1, max=3650)],
                                   description="Empty: never.")
    edit_window_minutes = IntegerField("Authors may edit for (minutes)",
                                       validators=[NumberRange(min=0, max=10_080)])
    flag_threshold = IntegerField("Reports that hide a comment until reviewed",
                                  validators=[NumberRange(min=1, max=1000)])
    downvotes = BooleanField("Readers may vote comments down as well as up")
    erased_comments = SelectField("When a reader's account is erased, their comments", choices=[
        SelectChoice("anonymise", "Stay, shown as by “Deleted account”"),
        SelectChoice("delete", "Are deleted (replies keep their place)"),
    ])


class EraseReaderForm(FlaskForm):
    requested = BooleanField("The reader asked for their account to be erased",
                             validators=[DataRequired("Tick the box to confirm.")])


class BanForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
    until = DateField("Until", validators=[Optional()], description="Empty: no end date.")
    hide_comments = BooleanField("Also hide all their comments")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.value.capitalize())
                                        for role in Role])


class SiteForm(FlaskForm):
    origin = StringField("Origin", validators=[DataRequired(), Length(max=300),
                                               URL(require_tld=False)],
                         description="scheme://host[:port], e.g. https://news.example")
    name = StringField("Name", validators=[Optional(), Length(max=120)])


class SiteOriginForm(FlaskForm):
    """A button acting on one allowed site (turn single sign-on on or off, new secret)."""

    origin = HiddenField(validators=[DataRequired(), Length(max=300)])


class LoginPagesForm(SiteOriginForm):
    login_url = StringField("Login page", validators=[Optional(), Length(max=2000)],
                            description="Where the embed's Log-in link goes, e.g. "
                                        "https://news.example/login. Empty: our login popup.")
    logout_url = StringField("Logout page", validators=[Optional(), Length(max=2000)],
                             description="Where Log out goes after ending the comment login.")


class ThreadDetailsForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=300)],
                        description="As readers and moderators see it.")
    url = StringField("Article URL", validators=[DataRequired(), Length(max=2000)],
                      description="Must stay on the thread's own site.")
