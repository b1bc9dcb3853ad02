"""Forms: every field validated on the server, with a message beside the field."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DecimalField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from moderation.models import CommentStatus, RejectionReason
from moderation.models.discussions import DEFAULTS
from moderation.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def no_nul(form: FlaskForm, field: Field) -> None:
    """Refuse NUL characters: PostgreSQL rejects them and they hide text."""
    if field.data and "\x00" in field.data:
        raise ValidationError("Remove the NUL character from this field.")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password",
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class PasswordMixin:
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(
            min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
            message=f"Use at least {MIN_PASSWORD_LENGTH} characters "
                    f"(and at most {MAX_PASSWORD_LENGTH}).")],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )


class SignUpForm(PasswordMixin, FlaskForm):
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120), no_nul])
    # The same shape roster import accepts; a school's own domains may be internal.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Regexp(
        r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address such as ada@school.edu.")])
    join_code = StringField("Course join code", validators=[DataRequired(), Length(max=20)],
                            description="Your instructor gives you this code.")


class ActivateForm(PasswordMixin, FlaskForm):
    pass


class JoinForm(FlaskForm):
    join_code = StringField("Course join code", validators=[DataRequired(), Length(max=20)])


class CourseForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), no_nul])
    code = StringField("Code", validators=[DataRequired(), Length(max=40), no_nul],
                       description="Short and unique, such as HIST210-F26.")


class RosterForm(FlaskForm):
    file = FileField("Roster file (CSV)", validators=[
        FileRequired(), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
        description="A Canvas gradebook export, or a CSV with columns name, email, section, "
                    "sis id.")
    email_domain = StringField(
        "Email domain (optional)", validators=[Optional(), Length(max=120)],
        description="If SIS Login IDs are usernames, emails are built as username@domain.")


class DiscussionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), no_nul])
    prompt = TextAreaField("Prompt (Markdown)", validators=[Length(max=50_000), no_nul],
                           description="The reading or article students respond to.")
    opens_at = DateTimeLocalField("Opens (UTC)", format=DATETIME_FORMATS,
                                  validators=[Optional()])
    due_at = DateTimeLocalField("Due (UTC)", format=DATETIME_FORMATS, validators=[Optional()])
    points_possible = DecimalField("Points possible", default=10, places=2,
                                   validators=[InputRequired(), NumberRange(min=0, max=1000)])
    required_replies = IntegerField("Required replies", default=2,
                                    validators=[InputRequired(), NumberRange(min=0, max=50)])
    min_words = IntegerField("Response: minimum words", default=DEFAULTS.min_words,
                             validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    max_words = IntegerField("Response: maximum words", default=DEFAULTS.max_words,
                             validators=[InputRequired(), NumberRange(min=1, max=10_000)])
    reply_min_words = IntegerField("Reply: minimum words", default=DEFAULTS.reply_min_words,
                                   validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    reply_max_words = IntegerField("Reply: maximum words", default=DEFAULTS.reply_max_words,
                                   validators=[InputRequired(), NumberRange(min=1, max=10_000)])
    moderation_mode = SelectField("Moderation", default="flagged", choices=[
        SelectChoice("flagged", "Hold flagged comments only"),
        SelectChoice("all", "Hold every comment for approval"),
        SelectChoice("none", "Publish unless a rule holds it"),
    ])
    lms_assignment_id = StringField("LMS assignment id (optional)",
                                    validators=[Optional(), Length(max=64), no_nul])


class CommentForm(FlaskForm):
    body = TextAreaField("Your comment", validators=[DataRequired("Write your comment first."),
                                                     no_nul])
    parent_id = HiddenField()
    submission_token = HiddenField()

    def fresh_token(self) -> None:
        """Give a newly rendered form its own token, so a double click makes one row."""
        if not self.submission_token.data:
            self.submission_token.data = secrets.token_urlsafe(24)


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change state."""


STATUS_CHOICES = [SelectChoice(s.value, s.value) for s in CommentStatus]
REASON_CHOICES = [SelectChoice("", "Choose a reason…")] + [
    SelectChoice(r.value, r.label) for r in RejectionReason]


class DecisionForm(FlaskForm):
    """One decision on one comment, with the status the deciding page showed."""

    status = SelectField("Decision", choices=STATUS_CHOICES)
    expected = HiddenField(validators=[DataRequired(), AnyOf([s.value for s in CommentStatus])])
    reason = SelectField("Reason (the student sees it)", choices=REASON_CHOICES,
                         validators=[Optional()])
    message = TextAreaField("Message to the student (optional)",
                            validators=[Optional(), Length(max=2000), no_nul])


class BulkDecisionForm(FlaskForm):
    """One decision for every selected comment."""

    status = SelectField("Decision", choices=STATUS_CHOICES)
    reason = SelectField("Reason", choices=REASON_CHOICES, validators=[Optional()])
    message = TextAreaField("Message to each student (optional)",
                            validators=[Optional(), Length(max=2000), no_nul])


class StaffEditForm(FlaskForm):
    """A staff correction or redaction of a comment's text."""

    body = TextAreaField("Text", validators=[DataRequired(), no_nul])
    note = StringField("Why (for the audit log)", validators=[Optional(), Length(max=200),
                                                               no_nul])
