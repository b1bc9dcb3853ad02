"""The import rules between the parts (docs/architecture.md), read from the source.

Every import counts: at the top of a module, inside a function, and under TYPE_CHECKING
(a circle at type level is still a circle). A rule that breaks names the file and the
import, so the "never" list cannot rot unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "moderation"
PURE = ("analysis", "grading", "lms", "lti")
APP = {"models", "services", "web", "jobs", "cli", "app"}
FRAMEWORKS = {"flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "flask_limiter",
              "sqlalchemy", "werkzeug", "wtforms", "jinja2", "huey"}

# part -> the parts it must never import
NEVER: dict[str, set[str]] = {
    "analysis": APP | {"grading", "lms", "lti"},
    "grading": APP | {"lms", "lti"},
    "lms": APP | {"analysis", "lti"},
    "lti": APP | {"analysis", "grading", "lms"},
    "models": {"services", "web", "jobs", "cli"},
    "services": {"web", "jobs", "cli"},
    "jobs": {"web", "cli"},
    "web": {"cli"},
}
# What services may take from Flask: the app and its config, never a request nor a route
# (a message's links are built by web/mail_links.py).
SERVICES_FROM_FLASK = {"Flask", "current_app", "has_app_context"}


def _part(module: str) -> str | None:
    """The part a dotted module name belongs to, or None outside the package."""
    names = module.split(".")
    if names[0] != "moderation":
        return None
    if len(names) == 1:
        return "app"
    if names[1] in ("analysis", "grading", "lms", "lti", "models", "services", "web",
                    "jobs", "migrations"):
        return names[1]
    return "cli" if names[1].startswith("cli") else "app"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Each import of a file: the module, and the names taken from it."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            found.append((node.module, names))
            # `from moderation import services` imports the part services
            found += [(f"{node.module}.{name}", []) for name in names
                      if node.module == "moderation"]
    return found


def _files() -> list[tuple[str, str, Path]]:
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        module = "moderation." + name.removesuffix(".py").replace("/", ".")
        part = _part(module.removesuffix(".__init__"))
        if part is not None and part != "migrations":
            files.append((name, part, path))
    return files


FILES = _files()


def test_the_package_is_read():
    parts = {part for _, part, _ in FILES}
    assert set(NEVER) <= parts and len(FILES) > 100


@pytest.mark.parametrize("part", sorted(NEVER))
def test_a_part_never_imports_what_its_rules_forbid(part):
    broken = []
    for name, own, path in FILES:
        if own != part:
            continue
        for module, taken in _imports(path):
            target = _part(module)
            if target in NEVER[part] and target != own:
                broken.append(f"{name}: {module}")
            if part in PURE and module.split(".")[0] in FRAMEWORKS:
                broken.append(f"{name}: {module} (a pure part imports no framework)")
            if part == "services" and module == "flask":
                broken += [f"{name}: flask.{n} (services know no requests)" for n in taken
                           if n not in SERVICES_FROM_FLASK]
    assert broken == []


def test_nothing_in_the_package_imports_tests_or_benches():
    broken = [f"{name}: {module}" for name, _, path in FILES
              for module, _ in _imports(path) if module.split(".")[0] in ("tests", "bench")]
    assert broken == []


def test_the_policy_knows_no_rules():
    """Rules read the policy; the policy is data and imports no rule, so no circle forms."""
    imported = [module for module, _ in _imports(PACKAGE / "analysis" / "policy.py")]
    assert imported and not [m for m in imported if m.startswith("moderation.analysis.rules")]


def test_a_broken_rule_is_seen(tmp_path):
    """The reader sees an import inside a function and under TYPE_CHECKING."""
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                      "    from moderation.services import audit\n"
                      "def f():\n    from moderation import web\n")
    assert {_part(m) for m, _ in _imports(source)} >= {"services", "web"}
