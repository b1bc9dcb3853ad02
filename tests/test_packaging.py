"""The wheel's package list names every folder that ships: code, data, pages."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def folders(base: Path, prefix: str) -> set[str]:
    found = {prefix}
    for path in base.rglob("*"):
        if path.is_dir() and "__pycache__" not in path.parts and any(path.iterdir()):
            found.add(prefix + "." + ".".join(path.relative_to(base).parts))
    return found


def test_every_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {"moderation.templates": "templates"}
    expected = folders(ROOT / "moderation", "moderation") | folders(ROOT / "templates",
                                                                    "moderation.templates")
    assert set(config["packages"]) == expected
