"""Keyboard-only browser tests: move with Tab / Shift+Tab, act with Enter, Space, the arrows and typing (no click),
check at each step that the focused control shows a visible focus indicator, and take screenshots into the artifacts
directory (``$ARTIFACTS_DIR``, else ``var/artifacts``; never committed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

MAX_TABS = 60
FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        id: element.id, type: element.type, focusVisible: element.matches(":focus-visible"),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    };
}"""


@pytest.fixture
def artifacts() -> Path:
    directory = Path(os.environ.get("ARTIFACTS_DIR") or Path(settings.BASE_DIR) / "var" / "artifacts") / "keyboard"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(FOCUS_STYLE)


def tab_to(page: Any, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the control matching ``selector`` has the focus, then check it shows it."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            break
        page.keyboard.press(key)
    else:
        pytest.fail(f"{selector} cannot be reached with {key} on {page.url}")
    assert_focus_visible(page, selector)


def assert_focus_visible(page: Any, what: str) -> None:
    state = focused(page)
    # Chromium moves the focus of a date field to a segment inside it (out of reach of :focus-visible) and
    # highlights that segment itself; the screenshots show it.
    if state["type"] != "date":
        assert state["focusVisible"] and state["outline"], f"focus not visible on {what}: {state}"


def fill(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def type_date(page: Any, selector: str, *, day: str, month: str, year: str) -> None:
    """Type a date segment by segment. The order of the segments follows the browser's own language, whatever the
    page's: find it by typing a first date, then go back (Shift+Tab) to the first segment and type the real one."""
    tab_to(page, selector)
    page.keyboard.type("01022000")
    day_first = page.evaluate("document.activeElement.value") == "2000-02-01"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type(day + month + year if day_first else month + day + year)


def choose(page: Any, selector: str, value: str) -> None:
    """Pick an option of a select with the arrow keys: down, and up again from the last one."""
    tab_to(page, selector)
    for key in ("ArrowDown", "ArrowUp"):
        previous = None
        for _ in range(40):
            current = page.evaluate("document.activeElement.value")
            if current == value:
                return
            if current == previous:
                break
            previous = current
            page.keyboard.press(key)
    pytest.fail(f"{value} not reached in {selector}")


def submit(page: Any, selector: str = "main form button.fr-btn:not([name])") -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
