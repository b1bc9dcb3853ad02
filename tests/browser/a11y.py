"""Accessibility checks for the browser tests: axe-core on a page, and a visible focus ring.

axe-core is vendored (`vendor/axe.min.js`, MPL-2.0, see `vendor/README.md`): nothing is
downloaded at test time. It is evaluated through the DevTools protocol rather than added as
a <script>, because the app's CSP (script-src 'self') rightly refuses inline scripts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).parent / "vendor"
AXE = VENDOR / "axe.min.js"

# The impacts a page may not have. "moderate" and "minor" are reported but do not fail.
FAILING_IMPACTS = ("serious", "critical")

# WCAG 2.x A and AA plus axe's best practices: what a school is asked to meet (Section 508,
# EN 301 549 both point at WCAG 2.1 AA).
AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                           "best-practice"]},
    "resultTypes": ["violations"],
}

# The minimum contrast of a focus indicator against what is next to it (WCAG 2.2 SC 1.4.11
# non-text contrast, and SC 2.4.13's ratio).
FOCUS_CONTRAST = 3.0


@cache
def axe_source() -> str:
    """The vendored axe-core, read once per test session."""
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;undefined")  # the value of the script is not needed
    result: list[dict[str, Any]] = page.evaluate(
        "options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and failing element, for an assertion message."""
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {node['target']}: "
                         f"{node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str) -> None:
    """Fail when axe finds a serious or critical violation on the page."""
    failing = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe on {where} ({page.url}):\n{describe(failing)}"


# The focused element's indicator colours and the background it is drawn on, each turned
# into sRGB bytes by a canvas, so any CSS colour syntax (rgb, oklch, color-mix…) compares.
_FOCUS_STYLE = r"""() => {
  const el = document.activeElement;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const rgba = (color) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000"; ctx.fillStyle = color;
    ctx.fillRect(0, 0, 1, 1);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data);
  };
  // What shows behind an outline drawn outside the element: the nearest opaque background
  // of its ancestors (the page's own when none has one).
  let background = [255, 255, 255, 255];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg[3] === 255) { background = bg; break; }
  }
  const style = getComputedStyle(el);
  // Computed box-shadow: "<colour> <x> <y> <blur> <spread>[ inset], …"
  const shadows = [];
  if (style.boxShadow !== "none") {
    for (const part of style.boxShadow.split(/,(?![^(]*\))/).map((p) => p.trim())) {
      const colour = part.match(/^\w+\([^)]*\)|^\w+/)[0];
      const lengths = part.slice(colour.length).trim().split(/\s+/).map(parseFloat);
      shadows.push({ color: rgba(colour), spread: lengths[3] || 0 });
    }
  }
  return {
    tag: el.tagName, text: (el.innerText || el.value || "").slice(0, 40),
    outline: { style: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0,
               color: rgba(style.outlineColor) },
    shadows, background,
  };
}"""


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour given as 0–255 channels."""
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[int], background: list[int]) -> float:
    """WCAG contrast ratio of colour `a` (RGBA, alpha blended over `background`) to it.

    >>> round(contrast([0, 0, 0, 255], [255, 255, 255, 255]), 1)
    21.0
    >>> contrast([0, 0, 0, 0], [255, 255, 255, 255])
    1.0
    """
    alpha = a[3] / 255
    blended = tuple(alpha * a[i] + (1 - alpha) * background[i] for i in range(3))
    lighter, darker = sorted((_luminance(blended), _luminance(tuple(background[:3]))),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def focus_indicator(page: Any) -> tuple[float, dict[str, Any]]:
    """The best contrast of the focused element's outline or box-shadow, and the styles."""
    style = page.evaluate(_FOCUS_STYLE)
    ratios = [0.0]
    outline = style["outline"]
    if outline["style"] not in ("none", "hidden") and outline["width"] >= 1:
        ratios.append(contrast(outline["color"], style["background"]))
    ratios += [contrast(s["color"], style["background"])
               for s in style["shadows"] if s["spread"] >= 1]  # a ring, not a soft glow
    return max(ratios), style


def assert_focus_visible(page: Any, selector: str, where: str, *, limit: int = 60) -> None:
    """Press Tab, as a keyboard user would, until an element matching `selector` has the
    focus, and check that its focus indicator contrasts at least 3:1 with the page."""
    # Blurred first, so the element reached is one Tab gave the focus to (:focus-visible),
    # not one a click or a script focused.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            break
    else:
        raise AssertionError(f"Tab never reached {selector} on {where}")
    ratio, style = focus_indicator(page)
    assert ratio >= FOCUS_CONTRAST, f"focus on {where} is hard to see ({ratio:.2f}:1): {style}"
