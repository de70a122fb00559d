"""ARCHITECTURE.md names only files, folders and modules that exist (it goes stale when one moves),
and the imports between the top-level packages point the way it says (parsed, function-level
imports included, so an import inside a function cannot hide one that runs against the grain)."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "ARCHITECTURE.md"
PACKAGES = tuple(sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()))
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


# What each package must never import (the packages below the adapters and the console).
DOMAIN = ("cases", "privacy", "content", "core", "delivery", "retrieval", "language")
FORBIDDEN: Dict[str, Set[str]] = {
    **{package: {"channels", "actions", "console"} for package in DOMAIN},
    "delivery": {"channels", "actions", "console"},  # the engine never knows an adapter
    "bench": {"tests"},  # both use testing/ instead
}
ONLY_BOT_IMPORTS_BOT = ("bot", "tests", "bench")  # the composition root is imported by nobody else


def imported_packages(source: str) -> Iterator[str]:
    """The top-level package of every absolute import in `source`, at any depth."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def _imports_between_packages() -> List[Tuple[str, str, str]]:
    """(importing package, file, imported package of this repository), every file."""
    ours = set(PACKAGES) | {"tests"}
    found = []
    for folder in sorted(ours):
        for path in (ROOT / folder).rglob("*.py"):
            for imported in set(imported_packages(path.read_text(encoding="utf-8"))) & ours - {folder}:
                found.append((folder, path.relative_to(ROOT).as_posix(), imported))
    return found


def test_only_the_composition_root_and_its_users_import_bot():
    assert [(f, i) for p, f, i in _imports_between_packages() if i == "bot" and p not in ONLY_BOT_IMPORTS_BOT] == []


def test_no_package_imports_what_lies_above_it():
    assert [(f, i) for p, f, i in _imports_between_packages() if i in FORBIDDEN.get(p, ())] == []


def test_no_two_packages_import_each_other():
    """Dependencies point one way, function-level imports included (content used to import the
    contact fields from retrieval, which reads the knowledge from content)."""
    pairs = {(p, i) for p, _, i in _imports_between_packages()}
    assert sorted((p, i) for p, i in pairs if p < i and (i, p) in pairs) == []


def test_core_imports_nothing_of_this_repository():
    assert [(f, i) for p, f, i in _imports_between_packages() if p == "core"] == []


def test_the_import_check_sees_every_import():
    source = "import a.b\nfrom c.d import e\nfrom . import f\ndef g():\n    from h import i\n    import j as k\n"
    assert sorted(imported_packages(source)) == ["a", "c", "h", "j"]
    found = _imports_between_packages()
    assert ("bot", "bot/__main__.py", "content") in found  # a function-level one
    assert {p for p, _, _ in found} >= {"bot", "cases", "channels", "delivery", "console", "actions", "bench", "tests"}
