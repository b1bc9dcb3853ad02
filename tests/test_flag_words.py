"""A flag in words: every rule has its chip, and the queue shows them with their values."""

from __future__ import annotations

import re
import secrets

from moderation.analysis.rules import REGISTRY
from moderation.extensions import db
from moderation.models import Discussion, ModerationMode, User
from moderation.services.comments import posting
from moderation.web.flag_words import NAMES, WORDS
from tests.conftest import instructor_of


def test_every_rule_has_words():
    assert set(REGISTRY) == set(WORDS) == set(NAMES)


def test_the_queue_reads_flags_in_words_with_their_values(
        app, client, login_as, make_user, make_course, make_discussion, enrol):
    course = make_course()
    # Ada's response publishes (nothing holds it), so Ben could read the one he copies: the
    # copied flag names her. (Copying a comment its author could not see names nobody.)
    discussion = make_discussion(course, min_words=20, moderation_mode=ModerationMode.FLAGGED)
    ada, ben = make_user("Ada Adler"), make_user("Ben Baptiste")
    for person in (ada, ben):
        enrol(person, course)
    original = ("The court keeps its reach over what happened before the withdrawal, as "
                "Jones explains, so leaving changes less than it seems to most readers.")
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        for person, text in ((ada, original), (ben, "So " + original[4:]),
                             (ben, "The court matters, I think.")):
            posting.submit_comment(d, db.session.get(User, person.id), text, secrets.token_hex(8))
            db.session.commit()
    login_as(instructor_of(app, course))
    page = client.get(f"/teach/discussions/{discussion.id}/queue").text
    chips = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", chip)).strip()
             for chip in re.findall(r'<li class="chip[^>]*>(.*?)</li>', page, re.S)]
    assert any(re.fullmatch(r"⚑Held: Copied \d+% from Ada Adler", c) for c in chips), chips
    assert "⚑Held: Too short: 5 of 20 words" in chips, chips
    assert page.count('class="badge badge-pending"') == 2
    # The rule filter and the flags beside the list name each kind in words, not by its id.
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', page))
    assert options["copied"] == "Copied" and options["too_short"] == "Too short", options
    beside = re.search(r'<ul class="rule-counts">(.*?)</ul>', page, re.S)
    assert beside is not None
    names = re.findall(r'<a href="[^"]*rule=([a-z_]+)[^"]*">([^<]+)</a>', beside.group(1))
    assert sorted(names) == [("copied", "Copied"), ("too_short", "Too short")], names
