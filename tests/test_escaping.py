"""User text is always escaped on the way out."""

from __future__ import annotations

from moderation.extensions import db
from moderation.services.comments import posting

SCRIPT = '<script>alert("x")</script> and <img src=x onerror=alert(1)> words'


def test_script_comment_comes_back_escaped(app, client, make_user, make_course,
                                           make_discussion, enrol, login_as):
    course = make_course()
    discussion = make_discussion(course)
    student = make_user('Eve <b>"Bold"</b>')
    enrol(student, course)
    with app.app_context():
        posting.submit_comment(db.session.merge(discussion), db.session.merge(student), SCRIPT,
                             "tok")
        db.session.commit()
    login_as(student)
    for url in (f"/discussions/{discussion.id}", "/my/comments"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    page = client.get(f"/discussions/{discussion.id}").text
    assert "Eve &lt;b&gt;&#34;Bold&#34;&lt;/b&gt;" in page
