"""The accessibility checks can fail: axe and the focus-ring test catch a page made to fail.

Without this, a journey that passes could mean the checks never ran (axe not loaded, a
colour parsed as transparent, a ring measured against itself).
"""

from __future__ import annotations

import pytest

from tests.browser.a11y import assert_accessible, assert_focus_visible, focus_indicator
from tests.browser.conftest import BROWSER

pytestmark = BROWSER

BAD = """<!doctype html><html lang="en"><head><title>bad</title><style>
  body { background: #fff; }
  .faint { color: #bbb; }
  a:focus-visible { outline: 2px solid #ddd; }
  button:focus-visible { outline: none; box-shadow: 0 0 0 3px rgba(0, 0, 0, .9); }
</style></head><body><main>
  <p class="faint">Light grey text on white.</p>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <a href="#x">A link with a faint ring</a> <button>A button with a dark ring</button>
</main></body></html>"""


def test_the_checks_catch_what_they_are_for(page):
    page.set_content(BAD)
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page, "the bad page")
    assert "color-contrast" in str(failed.value) and "image-alt" in str(failed.value)

    with pytest.raises(AssertionError, match="hard to see"):
        assert_focus_visible(page, "a", "the bad page")
    # A box-shadow ring counts as well as an outline: 0.9 black on white is ~17:1.
    assert_focus_visible(page, "button", "the bad page")
    assert focus_indicator(page)[0] > 15
