"""Counting what a person does in the browser: clicks by mouse, keys by keyboard.

An action is one click, one key press, or typing one text into a field. By mouse, typing
into a field is two actions (the click that puts the cursor there, then the typing); a
select is two (open, pick). By keyboard, each Tab that moves the focus is an action, so a
control forty Tabs down the page costs forty. Scrolling is not counted.
"""

from __future__ import annotations

from typing import Any


def is_focused(locator: Any) -> bool:
    """Whether the element the locator names has the keyboard focus."""
    return bool(locator.evaluate("el => el === document.activeElement"))


class Mouse:
    """A person with a mouse: every click counts, typing into a field counts too."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def click(self, locator: Any) -> None:
        """Click the element."""
        locator.click()
        self.count += 1

    def fill(self, locator: Any, text: str) -> None:
        """Click into a field and type the text: two actions."""
        locator.click()
        locator.fill(text)
        self.count += 2

    def select(self, locator: Any, value: str) -> None:
        """Open a select and pick an option: two actions."""
        locator.select_option(value)
        self.count += 2


class Keyboard:
    """A person with the keyboard alone: each key press counts, Tabs included."""

    def __init__(self, page: Any, limit: int = 400) -> None:
        self.page = page
        self.count = 0
        self.limit = limit

    def press(self, key: str, times: int = 1) -> None:
        """Press a key (or a chord such as Shift+Tab), `times` times."""
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        """Type a text into the focused field: one action."""
        self.page.keyboard.type(text)
        self.count += 1

    def tab_to(self, locator: Any, backwards: bool = False) -> int:
        """Press Tab (or Shift+Tab) until the element has the focus; return how many."""
        presses = 0
        while not is_focused(locator):
            self.press("Shift+Tab" if backwards else "Tab")
            presses += 1
            assert presses <= self.limit, f"{locator} not reached in {self.limit} Tabs"
        return presses
