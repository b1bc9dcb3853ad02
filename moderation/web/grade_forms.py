"""Forms of the grading pages: a grade's row, a release, the rubric, an export."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput, NumberInput

from moderation.grading import CRITERIA, LABELS, LATE_POLICIES, LATE_REPLIES, REPLIES_PARTIAL
from moderation.lms import FORMATS
from moderation.web.forms import Form

MAX_VERSION = 2**31 - 1


def points_field(label: str, maximum: float = 1000, **kwargs: Any) -> DecimalField:
    """A number of points: optional, 0 to `maximum`, two decimals, a number input."""
    return DecimalField(label, places=2, widget=NumberInput(step="0.01", min=0),
                        validators=[Optional(), NumberRange(min=0, max=maximum)], **kwargs)


def version_field() -> IntegerField:
    """The grade's version when the page was shown: a stale page cannot overwrite."""
    return IntegerField(widget=HiddenInput(),
                        validators=[InputRequired(), NumberRange(min=1, max=MAX_VERSION)])


class GradeForm(Form):
    """One student's grade; on the grading page once per row, each with its own prefix."""

    score = points_field("Score", description="Blank: not graded yet.")
    quality = points_field("Quality")
    feedback = TextAreaField("Feedback", validators=[Optional(), Length(max=5000)])
    version = version_field()
    back = HiddenField(default="sheet", validators=[AnyOf(["sheet", "student"])])


class ReleaseForm(Form):
    """Release or take back one student's grade, at the version the page showed."""

    version = version_field()
    back = HiddenField(default="sheet", validators=[AnyOf(["sheet", "student"])])
    # How many of the student's comments awaited moderation when the button said so.
    awaiting = IntegerField(widget=HiddenInput(), default=0,
                            validators=[Optional(), NumberRange(min=0, max=MAX_VERSION)])


class RubricForm(Form):
    """A rubric's points per criterion and its rules for replies and lateness."""

    substantive = points_field(LABELS["substantive"], default=4)
    replies = points_field(LABELS["replies"], default=3)
    on_time = points_field(LABELS["on_time"], default=1)
    citation = points_field(LABELS["citation"], default=1)
    readability = points_field(LABELS["readability"], default=1)
    quality = points_field(LABELS["quality"], default=0)
    replies_partial = SelectField("Fewer replies than required", choices=[
        SelectChoice(key, label) for key, label in REPLIES_PARTIAL.items()])
    late_policy = SelectField("Late responses", choices=[
        SelectChoice(key, label) for key, label in LATE_POLICIES.items()])
    late_percent_per_day = points_field("Percentage off per day late", maximum=100,
                                        default=10)
    late_cutoff_days = points_field("Cut-off: days after the due date", maximum=365,
                                    default=0)
    replies_late_policy = SelectField("Late replies (when replies have their own due date)",
                                      default="none", choices=[SelectChoice(key, label)
                                               for key, label in LATE_REPLIES.items()])
    replies_late_percent_per_day = points_field("Replies: percentage off per day late",
                                                maximum=100, default=10)
    replies_late_cutoff_days = points_field("Replies: cut-off, days after their due date",
                                            maximum=365, default=0)
    total = HiddenField()  # where "the points do not add up" is shown

    def document(self) -> dict[str, Any]:
        """The rubric document the form describes (blank points count as 0)."""
        return {
            "points": {key: float(getattr(self, key).data or 0) for key in CRITERIA},
            "replies_partial": self.replies_partial.data,
            "late_policy": self.late_policy.data,
            "late_percent_per_day": float(self.late_percent_per_day.data or 0),
            "late_cutoff_days": float(self.late_cutoff_days.data or 0),
            "replies_late_policy": self.replies_late_policy.data,
            "replies_late_percent_per_day": float(self.replies_late_percent_per_day.data or 0),
            "replies_late_cutoff_days": float(self.replies_late_cutoff_days.data or 0),
        }

    def fill(self, document: dict[str, Any]) -> None:
        """Show a rubric document in the form."""
        for key in CRITERIA:
            getattr(self, key).data = document["points"][key]
        for name in ("replies_partial", "late_policy", "late_percent_per_day",
                     "late_cutoff_days", "replies_late_policy", "replies_late_percent_per_day",
                     "replies_late_cutoff_days"):
            getattr(self, name).data = document[name]


class ExportForm(Form):
    """Which grades to export, in which format."""

    format = SelectField("Format", choices=[
        SelectChoice(name, fmt.LABEL) for name, fmt in FORMATS.items()])
    discussion = SelectField("Discussions", coerce=int, default=0,
                             choices=[SelectChoice(0, "Every discussion")])
    feedback = BooleanField("Moodle: add a feedback column per discussion")
    as_percent = BooleanField("Moodle: scores as percentages (for grade items out of 100)")
