"""The staff page: a course's instructors and TAs, adding and removing TAs, what TAs may do."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from moderation.extensions import db
from moderation.models import Course, Membership, Role
from moderation.services import invitations, mail, staff
from moderation.services.courses import Permission
from moderation.web.access import course_or_404
from moderation.web.dashboard import bp
from moderation.web.dashboard.links import activation_links, invitation_links
from moderation.web.forms import AddTAForm, ConfirmForm, TAPermissionsForm
from moderation.web.refusals import REFUSALS, shown


@bp.get("/courses/<int:course_id>/staff")
def staff_page(course_id: int) -> ResponseReturnValue:
    """The course's instructors and TAs, with the forms that change them."""
    course, membership = course_or_404(course_id, permission=Permission.STAFF)
    return _page(course, membership)


@bp.post("/courses/<int:course_id>/staff")
def add_ta(course_id: int) -> ResponseReturnValue:
    """Invite a TA by email; the page says the same whether or not the address has an account."""
    course, membership = course_or_404(course_id, permission=Permission.STAFF)
    form = AddTAForm()
    if form.validate_on_submit():
        try:
            invited = staff.add_ta(course, current_user, form.email.data,
                                   form.display_name.data)
        except REFUSALS as refusal:
            return _page(course, membership, add_form=form,
                         status=shown(form, refusal, "email"))
        db.session.commit()
        sent = " We emailed it to them too." if mail.enabled() else ""
        flash(f"Invited {invited.email} to be a TA. They join when they open their "
              f"invitation link, below: copy it and send it to them.{sent}", "success")
        return redirect(url_for("dashboard.staff_page", course_id=course.id))
    return _page(course, membership, add_form=form)


@bp.post("/courses/<int:course_id>/staff/invitations/<int:invitation_id>/cancel")
def cancel_ta_invitation(course_id: int, invitation_id: int) -> ResponseReturnValue:
    """Withdraw a TA invitation: its link stops working."""
    course, _ = course_or_404(course_id, permission=Permission.STAFF)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    invited = staff.cancel_invitation(course, current_user, invitation_id)
    db.session.commit()
    flash(f"The invitation for {invited.email} is cancelled; its link no longer works.",
          "success")
    return redirect(url_for("dashboard.staff_page", course_id=course.id))


@bp.post("/courses/<int:course_id>/staff/<int:membership_id>/remove")
def remove_ta(course_id: int, membership_id: int) -> ResponseReturnValue:
    """Remove a TA from the course."""
    course, _ = course_or_404(course_id, permission=Permission.STAFF)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = staff.remove_ta(course, current_user, membership_id)
    db.session.commit()
    flash(f"{user.display_name} is no longer a TA of this course.", "success")
    return redirect(url_for("dashboard.staff_page", course_id=course.id))


@bp.post("/courses/<int:course_id>/staff/permissions")
def ta_permissions(course_id: int) -> ResponseReturnValue:
    """Set what the course's TAs may do besides moderating and grading."""
    course, membership = course_or_404(course_id, permission=Permission.STAFF)
    form = TAPermissionsForm()
    if form.validate_on_submit():
        try:
            changed = staff.set_ta_permissions(course, current_user,
                                               manage=form.tas_manage.data,
                                               export=form.tas_export.data)
        except REFUSALS as refusal:
            return _page(course, membership, permissions_form=form,
                         status=shown(form, refusal, "tas_manage"))
        db.session.commit()
        flash("TA permissions saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("dashboard.staff_page", course_id=course.id))
    return _page(course, membership, permissions_form=form)


def _page(course: Course, membership: Membership, *, add_form: AddTAForm | None = None,
          permissions_form: TAPermissionsForm | None = None,
          status: int | None = None) -> ResponseReturnValue:
    """The staff page; a refusal's status, or 422 when a form carries errors."""
    # The form not being submitted shows the stored state, not this request's fields.
    add_form = add_form or AddTAForm(formdata=None)
    permissions_form = permissions_form or TAPermissionsForm(
        formdata=None, data={"tas_manage": course.tas_manage, "tas_export": course.tas_export})
    members = staff.staff_of(course)
    links = activation_links(members)
    invited = invitations.open_for(course, Role.TA)
    status = status or (422 if add_form.errors or permissions_form.errors else 200)
    return render_template("dashboard/staff.html", course=course, membership=membership,
                           members=members, links=links, invited=invited,
                           invitation_links=invitation_links(invited), add_form=add_form,
                           permissions_form=permissions_form, confirm=ConfirmForm()), status
