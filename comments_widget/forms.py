"""The reader pages' forms; flask-wtf adds and checks the CSRF token on each."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from comments_widget.services.identity import MAX_DISPLAY_NAME, MAX_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                            Length(max=254)])
    password = PasswordField("Password",
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField("Log in")


class RegisterForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=MAX_DISPLAY_NAME)],
        description="Shown beside your comments.",
    )
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                            Length(max=254)],
                       description="Never shown to other readers.")
    password = PasswordField("Password",
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField("Create account")


class ConfirmForm(FlaskForm):
    """A button and a CSRF token: continue as the logged-in reader, or log out."""

    submit = SubmitField("Continue")


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                            Length(max=254)],
                       description="The address you registered with.")
    submit = SubmitField("Send me a link")


class ResetForm(FlaskForm):
    password = PasswordField("New password",
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])
    submit = SubmitField("Set password")


class NameForm(FlaskForm):
    display_name = StringField("Display name",
                               validators=[DataRequired(), Length(max=MAX_DISPLAY_NAME)])
    submit = SubmitField("Save name")


class EmailChangeForm(FlaskForm):
    email = EmailField("New email", validators=[DataRequired(), Email(check_deliverability=False),
                                                Length(max=254)])
    password = PasswordField("Your password",
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField("Change email")


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password",
                            validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    password = PasswordField("New password",
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])
    submit = SubmitField("Change password")
