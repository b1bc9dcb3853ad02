"""The word-level diff of two versions, and the versions partial the comment view includes."""

from __future__ import annotations

import html
import re

from flask import render_template
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from moderation.extensions import db
from moderation.models import Comment, Discussion, RejectionReason
from moderation.services.comments import decisions, posting, revisions
from moderation.web.diffs import word_diff
from tests.conftest import instructor_of


def test_changed_words_are_marked_and_the_rest_kept():
    assert word_diff("the cat sat on the mat", "the dog sat on the mat") == Markup(
        "the <del>cat</del> <ins>dog</ins> sat on the mat")
    assert word_diff("a b c", "a c") == Markup("a <del>b</del> c")
    assert word_diff("a b", "a b c") == Markup("a b <ins>c</ins>")
    assert word_diff("b c", "a b c") == Markup("<ins>a</ins> b c")
    assert word_diff("a b c", "a") == Markup("a <del>b c</del>")


def test_same_words_with_other_spacing_are_no_change():
    assert word_diff("one  two\nthree", "one two three") == Markup("one two three")
    assert word_diff("same", "same") == Markup("same")
    assert word_diff("", "") == Markup("")


def test_a_whole_text_added_or_removed():
    assert word_diff("", "all new") == Markup("<ins>all new</ins>")
    assert word_diff("all gone", "") == Markup("<del>all gone</del>")


def test_paragraphs_of_the_new_text_are_kept():
    result = word_diff("First part.\n\nSecond part.", "First part.\n\nSecond part, longer.")
    assert result == Markup("First part.\n\nSecond <del>part.</del> <ins>part, longer.</ins>")


def test_user_text_is_escaped_in_every_kind_of_piece():
    old = '<script>alert("old")</script> kept <b>bold</b> & removed'
    new = '<script>alert("new")</script> kept <b>bold</b> & <img src=x onerror=alert(1)>'
    result = word_diff(old, new)
    assert isinstance(result, Markup)
    assert "<script" not in result and "<img" not in result and "<b>" not in result
    assert "&lt;script&gt;alert(&#34;old&#34;)&lt;/script&gt;" in result  # removed
    assert "&lt;script&gt;alert(&#34;new&#34;)&lt;/script&gt;" in result  # added
    assert "kept &lt;b&gt;bold&lt;/b&gt; &amp;" in result  # unchanged
    assert "<ins>&lt;img src=x onerror=alert(1)&gt;</ins>" in result
    # The only tags are the diff's own.
    assert set(re.findall(r"</?(\w+)", result)) == {"del", "ins"}


def _side(markup: str, drop: str) -> list[str]:
    """The words of one side of a diff: drop the other side's pieces, then unescape."""
    kept = re.sub(rf"<{drop}>.*?</{drop}>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"</?(?:del|ins)>", " ", kept)).split()


words = st.lists(st.sampled_from(["a", "b", "c", "<x>", "&", "\"q\"", "ünï", "the"]),
                 max_size=30)
spaces = st.sampled_from([" ", "  ", "\n", "\n\n", "\t"])


@given(words, words, spaces)
def test_each_side_of_the_diff_is_exactly_its_text(old_words, new_words, space):
    old, new = space.join(old_words), " ".join(new_words)
    result = str(word_diff(old, new))
    assert _side(result, "del") == new.split()
    assert _side(result, "ins") == old.split()


def test_a_long_text_repeating_one_word_stays_fast():
    import time

    started = time.perf_counter()
    word_diff("the " * 3000, "the a " * 1500)
    assert time.perf_counter() - started < 2


# The partial ---------------------------------------------------------------------------

def test_the_versions_partial_shows_the_chain_and_each_diff(app, make_user, make_course,
                                                            make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, moderation_mode="all")
    student = make_user('Sam <b>"Student"</b>')
    enrol(student, course)
    teacher_row = instructor_of(app, course)
    with app.app_context():
        teacher, author = db.session.merge(teacher_row), db.session.merge(student)
        first = posting.submit_comment(db.session.get(Discussion, discussion.id), author,
                                     "The <script>court</script> lost its power.", "v1").comment
        decisions.reject(decisions.locked(first.id, teacher), teacher,
                         RejectionReason.NEEDS_CITATION, "Cite <i>it</i>.", None)
        second = posting.revise_comment(first, author, "The <script>court</script> lost some "
                                      "power, says Smith.", "v2").comment
        db.session.commit()
        chain = revisions.version_chain(db.session.get(Comment, second.id))
        with app.test_request_context():
            page = render_template("dashboard/_versions.html", versions=chain,
                                   current=chain[-1])
            alone = render_template("dashboard/_versions.html", versions=chain[:1])
    assert "Versions (2)" in page and "Original" in page and "Revision 1" in page
    assert "Reason: Needs a citation" in page and "Cite &lt;i&gt;it&lt;/i&gt;." in page
    assert "rejected by <bdi>Ina Structor</bdi>" in page
    assert 'class="current" aria-current="true"' in page and "(this version)" in page
    assert ('<div class="diff">The &lt;script&gt;court&lt;/script&gt; lost '
            '<del>its power.</del> <ins>some power, says Smith.</ins></div>') in page
    assert "<script>" not in page and "<i>" not in page
    assert alone.strip() == ""  # a comment never revised has no versions section
