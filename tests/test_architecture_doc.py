"""ARCHITECTURE.md names only files, folders and modules that exist (it goes stale when one moves)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "ARCHITECTURE.md"
PACKAGES = ("bot", "actions", "channels", "console")
RUN_TIME = ("var/", "models/", ".cache/")  # made by `make run` / `make train`, absent in a clone


def _quoted() -> list[str]:
    return re.findall(r"`([^`\s]+)`", DOC.read_text(encoding="utf-8"))


def _missing_paths() -> list[str]:
    paths = [q for q in _quoted() if "/" in q and not q.startswith(("/", *RUN_TIME)) and not re.search(r"[<>*…]", q)]
    return [p for p in paths if not (ROOT / p.rstrip("/")).exists()]


def _missing_modules() -> list[str]:
    modules = [q for q in _quoted() if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", q) and q.split(".")[0] in PACKAGES]
    return [m for m in modules if not (ROOT.joinpath(*m.split(".")).with_suffix(".py").exists()
                                       or ROOT.joinpath(*m.split(".")).is_dir())]


def test_every_path_in_the_architecture_exists():
    assert _missing_paths() == []


def test_every_module_in_the_architecture_exists():
    assert _missing_modules() == []
    assert len([q for q in _quoted() if "." in q and q.split(".")[0] in PACKAGES]) >= 10  # the check saw them


def test_the_readme_links_the_architecture():
    assert "(ARCHITECTURE.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
