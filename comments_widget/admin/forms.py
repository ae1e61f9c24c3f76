"""Dashboard forms; flask-wtf adds and checks the CSRF token on every one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from comments_widget.models import Role
from comments_widget.services.webhooks import EVENTS


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
    surge_shield = BooleanField("Surge shield: a thread that suddenly gets many comments, or "
                                "many from new accounts, holds new comments by itself")
    surge_comments = IntegerField("Comments within the window that start a surge",
                                  validators=[NumberRange(min=1, max=100_000)])
    surge_window_minutes = IntegerField("Surge window (minutes)",
                                        validators=[NumberRange(min=1, max=1440)])
    surge_new_share = IntegerField("…or this share (%) of the window's comments from new accounts",
                                   validators=[NumberRange(min=1, max=100)])
    surge_new_min = IntegerField("…written by at least this many different new accounts",
                                 validators=[NumberRange(min=1, max=100_000)])
    new_account_hours = IntegerField("Accounts younger than this are new (hours)",
                                     validators=[NumberRange(min=1, max=8760)])
    surge_quiet_minutes = IntegerField("The shield lifts after this long below both (minutes)",
                                       validators=[NumberRange(min=1, max=10_080)])
    min_seconds_to_post = IntegerField(
        "Hold comments sent sooner than this after the reader started writing (seconds)",
        validators=[NumberRange(min=0, max=600)], description="0: off.")
    duplicate_threads = IntegerField("Hold a comment whose text is already on this many other "
                                     "articles", validators=[NumberRange(min=1, max=1000)])
    duplicate_days = IntegerField("…within this many days",
                                  validators=[NumberRange(min=1, max=365)])
    link_domain_threshold = IntegerField(
        "Hold comments linking to a domain whose comments were rejected or marked as spam "
        "this many times", validators=[NumberRange(min=0, max=100_000)], description="0: off.")
    sla_minutes = IntegerField("Moderation target: email moderators once when a comment has "
                               "waited longer than (minutes)",
                               validators=[Optional(), NumberRange(min=1, max=100_000)],
                               description="Empty: no target.")


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


class WebhookForm(FlaskForm):
    url = StringField("URL", validators=[DataRequired(), Length(max=2000)],
                      description="Where we POST each event, e.g. https://news.example/hooks")
    events = SelectMultipleField("Events", choices=[SelectChoice(e, e) for e in EVENTS],
                                 validate_choice=False, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())


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
