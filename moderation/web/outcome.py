"""Run a service call for a form: commit on success, or show the refusal beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm

from moderation.extensions import db
from moderation.services.errors import ServiceError

T = TypeVar("T")


def commit_or_show(form: FlaskForm, action: Callable[[], T],
                   default_field: str) -> T | ServiceError:
    """Run `action` and commit, returning its result; on a refusal, roll back and return it.

    The refusal's message is attached to its field of the form (or to `default_field`),
    so the page shows it beside what the user typed.
    """
    try:
        result = action()
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        field = getattr(form, error.field or default_field, None) or getattr(form, default_field)
        field.errors = [*field.errors, error.message]
        return error
    return result
