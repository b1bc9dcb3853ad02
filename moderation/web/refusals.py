"""The one shape of a view that runs a service for a form (flaskr's), and its one helper:

    try:
        result = service(...)
    except REFUSALS as refusal:
        status = shown(form, refusal, "field")
    else:
        db.session.commit()
        flash("...", "success")
        return redirect(...)
    return render_template(..., form=form), status

`REFUSALS` are what a person can correct on the page they are on: an input the service
refuses, or a conflict with what changed since the page was drawn. A not-found or a
forbidden is left to the app's handlers (`web.security`: 404, 403, the message on the
error page). A view whose form carries a text that must survive any refusal (a comment
and its revision) catches every `ServiceError` instead.
"""

from __future__ import annotations

from flask_wtf import FlaskForm

from moderation.extensions import db
from moderation.services.errors import Conflict, InvalidInput, ServiceError

REFUSALS = (InvalidInput, Conflict)


def shown(form: FlaskForm, refusal: ServiceError, default_field: str) -> int:
    """Roll back, put the refusal's message beside its field of the form (or beside
    `default_field`), and return the status the page answers with."""
    db.session.rollback()
    field = getattr(form, refusal.field or default_field, None) or getattr(form, default_field)
    field.errors = [*field.errors, refusal.message]
    return refusal.status
