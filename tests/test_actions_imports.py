"""The actions modules import each other one way only (no cycle, not even through an import inside
a function), and a yes/no question is answered through one explicit list, not by registration."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

ACTIONS = Path(__file__).resolve().parent.parent / "actions"


def _imports() -> Dict[str, Set[str]]:
    """module -> the actions modules it imports, at module level or inside a function."""
    graph: Dict[str, Set[str]] = {}
    for path in ACTIONS.glob("*.py"):
        found: Set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "actions":
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("actions."):
                found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("actions.")}
        graph[path.stem] = found - {path.stem}
    return graph


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    cycles, done = [], set()

    def visit(module: str, path: List[str]) -> None:
        for imported in sorted(graph.get(module, ())):
            if imported in path:
                cycles.append(path[path.index(imported):] + [imported])
            elif imported not in done:
                visit(imported, path + [imported])
        done.add(module)

    for module in sorted(graph):
        visit(module, [module])
    return cycles


def test_no_import_cycle_among_the_actions():
    graph = _imports()
    assert {"consent", "confirmations", "handoff", "privacy"} <= set(graph)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_every_yes_no_question_asked_has_its_answer():
    from actions import confirmations, privacy

    asked = [ast.unparse(node.args[1]) for path in ACTIONS.glob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ask_yes_no"]
    assert asked == ["DELETE_DATA"]  # actions/privacy.py
    assert confirmations.ANSWERS == {privacy.DELETE_DATA: privacy.answer_delete_data}
