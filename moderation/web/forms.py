"""Forms: every field validated on the server, with a message beside the field."""

from __future__ import annotations

import secrets
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from moderation.analysis import Policy
from moderation.analysis.findings import SEVERITIES
from moderation.analysis.rules import RULES
from moderation.models import CommentStatus, PostFirst, RejectionReason
from moderation.models.discussions import DEFAULTS
from moderation.services import time_zones
from moderation.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from moderation.web.zones import DATETIME_FORMATS as DATETIME_FORMATS  # a form may name it
from moderation.web.zones import CourseDateTimeField

NUL_MESSAGE = "Remove the NUL character from this field."


def refuse_nul(form: FlaskForm, field: Field) -> None:
    """Refuse NUL characters: PostgreSQL rejects them and they hide text."""
    if isinstance(field.data, str) and "\x00" in field.data:
        raise StopValidation(NUL_MESSAGE)


class Form(FlaskForm):
    """Every form of the app: a NUL in any text field is refused beside that field.

    Checked after each field's own validators and before the form's `validate_<field>`
    methods, which may read the database with the value.
    """

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        extra = {name: [refuse_nul, *(extra_validators or {}).get(name, [])]
                 for name in self._fields}
        return bool(super().validate(extra_validators=extra))


class LoginForm(Form):
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


EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                     message="Enter an email address such as ada@school.edu.")


class SignUpForm(Form):
    """Sign-up when mail is set up: the password is chosen after opening the mailed link."""

    join_code = StringField("Course join code", validators=[DataRequired(), Length(max=20)],
                            description="Your instructor gives you this code.")
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    # The same shape roster import accepts; a school's own domains may be internal.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), EMAIL_SHAPE])


class PasswordSignUpForm(PasswordMixin, SignUpForm):
    """Sign-up without mail: the account is made at once (its address stays unproved)."""


class ActivateForm(PasswordMixin, Form):
    pass


class ChoosePasswordForm(PasswordMixin, Form):
    """Whoever opened a link to an address chooses the password of its account."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])


class ForgotPasswordForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), EMAIL_SHAPE])


class JoinForm(Form):
    join_code = StringField("Course join code", validators=[DataRequired(), Length(max=20)])


def time_zone_field(*, required: bool) -> SelectField:
    """The course's time zone, one IANA name from the list (a name not on it is refused);
    a new course sent without one is in UTC."""
    return SelectField("Time zone", default=time_zones.DEFAULT,
                       validators=[InputRequired("Choose a time zone.")] if required else [],
                       choices=lambda: [(n, n.replace("_", " ")) for n in time_zones.names()],
                       description="Due dates and every time on the course's pages are typed "
                                   "and shown in it.")


class CourseForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    code = StringField("Code", validators=[DataRequired(), Length(max=40)],
                       description="Short and unique, such as HIST210-F26.")
    time_zone = time_zone_field(required=False)


class TimeZoneForm(Form):
    """The course's time zone, a line on the course page."""

    time_zone = time_zone_field(required=True)


class RosterForm(Form):
    file = FileField("Roster file (CSV)", validators=[
        FileRequired(), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
        description="A Canvas gradebook export, or a CSV with columns name, email, section, "
                    "sis id.")
    email_domain = StringField(
        "Email domain (optional)", validators=[Optional(), Length(max=120)],
        description="If SIS Login IDs are usernames, emails are built as username@domain.")


class DiscussionForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    prompt = TextAreaField("Prompt (Markdown)", validators=[Length(max=50_000)],
                           description="The reading or article students respond to.")
    opens_at = CourseDateTimeField("Opens", validators=[Optional()])
    due_at = CourseDateTimeField("Due", validators=[Optional()])
    # The same field as due_at (its entry and display follow whatever due_at's do).
    replies_due_at = CourseDateTimeField(
        "Replies due", validators=[Optional()],
        description="Optional: the required replies' own due date, judged by the rubric's "
                    "reply late policy. Blank: replies are judged by the due date.")
    points_possible = DecimalField("Points possible", default=DEFAULTS.points_possible, places=2,
                                   validators=[InputRequired(), NumberRange(min=0, max=1000)])
    required_replies = IntegerField("Required replies", default=DEFAULTS.required_replies,
                                    validators=[InputRequired(), NumberRange(min=0, max=50)])
    min_words = IntegerField("Response: minimum words", default=DEFAULTS.min_words,
                             validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    max_words = IntegerField("Response: maximum words", default=DEFAULTS.max_words,
                             validators=[InputRequired(), NumberRange(min=1, max=10_000)])
    reply_min_words = IntegerField("Reply: minimum words", default=DEFAULTS.reply_min_words,
                                   validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    reply_max_words = IntegerField("Reply: maximum words", default=DEFAULTS.reply_max_words,
                                   validators=[InputRequired(), NumberRange(min=1, max=10_000)])
    moderation_mode = SelectField("Moderation", default=DEFAULTS.moderation_mode.value, choices=[
        SelectChoice("flagged", "Publish at once unless a rule holds the comment"),
        SelectChoice("all", "Every comment waits for approval"),
    ], description="Either way, a revision of a comment you rejected comes back to you first. "
                   "For nothing to wait at all, turn the hold rules off in the policy.")
    post_first = SelectField("Post before you see", default=PostFirst.OFF.value, choices=[
        SelectChoice(option.value, option.label) for option in PostFirst
    ], description="Staff always see every comment.")
    lms_assignment_id = StringField("LMS assignment id (optional)",
                                    validators=[Optional(), Length(max=64)])


class CommentForm(Form):
    body = TextAreaField("Your comment", validators=[DataRequired("Write your comment first.")])
    parent_id = HiddenField()
    submission_token = HiddenField()

    def fresh_token(self) -> None:
        """Give a newly rendered form its own token, so a double click makes one row."""
        if not self.submission_token.data:
            self.submission_token.data = secrets.token_urlsafe(24)


class ConfirmForm(Form):
    """A form with only a CSRF token, for buttons that change state."""


STATUS_CHOICES = [SelectChoice(s.value, s.value) for s in CommentStatus]
REASON_CHOICES = [SelectChoice("", "Choose a reason…")] + [
    SelectChoice(r.value, r.label) for r in RejectionReason]


class DecisionForm(Form):
    """One decision on one comment, with the status the deciding page showed."""

    status = SelectField("Decision", choices=STATUS_CHOICES)
    expected = HiddenField(validators=[DataRequired(), AnyOf([s.value for s in CommentStatus])])
    reason = SelectField("Reason (the student sees it)", choices=REASON_CHOICES,
                         validators=[Optional()])
    message = TextAreaField("Message to the student (optional)",
                            validators=[Optional(), Length(max=2000)])


class BulkDecisionForm(Form):
    """One decision for every selected comment."""

    status = SelectField("Decision", choices=STATUS_CHOICES)
    reason = SelectField("Reason", choices=REASON_CHOICES, validators=[Optional()])
    message = TextAreaField("Message to each student (optional)",
                            validators=[Optional(), Length(max=2000)])


class StaffEditForm(Form):
    """A staff correction or redaction of a comment's text."""

    body = TextAreaField("Text", validators=[DataRequired()])
    note = StringField("Why (for the audit log)", validators=[Optional(), Length(max=200)])
# --- Course administration: policy, staff, audit log ------------------------------------

LIST_FIELDS = ("banned_words", "watched_words", "course_words")
NUMBER_FIELDS = (
    "min_grade", "max_grade", "max_sentence_words", "offensive_threshold", "max_links",
    "shouting_ratio", "repeated_characters", "spelling_hold_per_100_words",
    "repeat_similarity", "copied_similarity", "copied_prompt_words",
)
_WORDS = "One word or phrase per line; whole words, inflections included."


def _number(label: str) -> FloatField:
    # No range here: services.policies checks every value and says what is wrong.
    return FloatField(label, validators=[InputRequired("Enter a number.")],
                      invalid_value_message="Enter a number, such as 0.8.")


def _whole(label: str) -> IntegerField:
    return IntegerField(label, validators=[InputRequired("Enter a whole number.")],
                        invalid_value_message="Enter a whole number, such as 3.")


class PolicyForm(Form):
    """A whole analysis policy: word lists, thresholds, and each rule on/off with its severity.

    Field names are the policy's keys, so a refusal from services.policies lands beside its
    field. One `enabled_<rule>` and one `severity_<rule>` field per registered rule are added
    below the class.
    """

    banned_words = TextAreaField("Banned words: refused at submit",
                                 validators=[Length(max=200_000)], description=_WORDS)
    use_default_banned_words = BooleanField("Also refuse the shipped list of banned words")
    watched_words = TextAreaField("Watched words: held for an instructor",
                                  validators=[Length(max=200_000)], description=_WORDS)
    course_words = TextAreaField("Course words: never misspellings",
                                 validators=[Length(max=200_000)],
                                 description="Names and terms of the subject, one per line.")
    min_grade = _number("Lowest reading grade (Flesch–Kincaid)")
    max_grade = _number("Highest reading grade")
    max_sentence_words = _whole("Longest sentence, in words")
    offensive_threshold = _number("Offensive language: score that holds (0–1)")
    max_links = _whole("Most links in a comment")
    shouting_ratio = _number("Shouting: share of capital letters (0–1)")
    repeated_characters = _whole("Repeated characters: how many in a row")
    spelling_hold_per_100_words = _number("Misspellings per 100 words that hold")
    repeat_similarity = _number("Repeat: similarity to the author's own comment (0–1)")
    copied_similarity = _number("Copied: similarity to a classmate's comment (0–1)")
    copied_prompt_words = _whole("Copied: words in a row from the prompt")
    reset = SubmitField("Use the course's policy for everything")

    @classmethod
    def for_policy(cls, policy: Policy) -> PolicyForm:
        """A form showing `policy`; a submitted form shows what was typed instead."""
        data: dict[str, Any] = {key: getattr(policy, key) for key in NUMBER_FIELDS}
        data.update({key: "\n".join(getattr(policy, key)) for key in LIST_FIELDS})
        data["use_default_banned_words"] = policy.use_default_banned_words
        for rule in RULES:
            data[f"enabled_{rule.id}"] = policy.rule_enabled(rule.id)
            data[f"severity_{rule.id}"] = policy.severities.get(rule.id, rule.severity)
        return cls(data=data)

    def document(self) -> dict[str, Any]:
        """The whole policy as the form says it, for services.policies to check and store."""
        data: dict[str, Any] = {key: self[key].data for key in NUMBER_FIELDS}
        data.update({key: [line.strip() for line in (self[key].data or "").splitlines()
                           if line.strip()] for key in LIST_FIELDS})
        data["use_default_banned_words"] = bool(self.use_default_banned_words.data)
        data["disabled_rules"] = [r.id for r in RULES if not self[f"enabled_{r.id}"].data]
        # A severity equal to the rule's default is not stored: the rule's own escalation
        # (spelling holds at 5+ per 100 words) only applies when the policy names none.
        data["severities"] = {r.id: self[f"severity_{r.id}"].data for r in RULES
                              if self[f"severity_{r.id}"].data != r.severity}
        return data

    RULES_FIELD = f"severity_{RULES[0].id}"  # where a refusal of the rule table is shown


for _rule in RULES:
    setattr(PolicyForm, f"enabled_{_rule.id}", BooleanField(f"{_rule.id} on", default=True))
    setattr(PolicyForm, f"severity_{_rule.id}", SelectField(
        f"{_rule.id} severity", default=_rule.severity,
        choices=[SelectChoice(s, s) for s in SEVERITIES]))


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class AddTAForm(Form):
    email = EmailField("Email", filters=[_strip],
                       validators=[DataRequired(), Length(max=254), EMAIL_SHAPE])
    display_name = StringField(
        "Name (optional)", validators=[Optional(), Length(max=120)],
        description="Offered to them if they create an account from the invitation.")


class TAPermissionsForm(Form):
    tas_manage = BooleanField(
        "TAs may manage the course (settings, discussions, policy, roster)")
    tas_export = BooleanField("TAs may export grades",
                              description="This also lets them download the audit log as CSV.")


class AuditFilterForm(Form):
    """The audit log's filters: read from the query string, so a view can be bookmarked."""

    class Meta:
        csrf = False  # a GET form: it filters, it changes nothing

    student = SelectField("Student", default="", validate_choice=True)
    action = SelectField("Action", default="", validate_choice=True)
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field: Field) -> None:
        """Refuse a range that ends before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date must not come before the start date.")
