"""The package's shape: layers without import cycles, no imports hidden in functions
(but the lazy WeasyPrint ones, each with a comment), a first line on every module, no
module over 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "leaflets"
# Imported inside functions on purpose: WeasyPrint costs about a second to import, so
# only processes that render import it (pydyf and the fetcher come with it).
LAZY = {"weasyprint", "pydyf", "fetcher"}


def _modules() -> dict[str, ast.Module]:
    return {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts): ast.parse(
            path.read_text(encoding="utf-8")
        )
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _target(module: str, node: ast.ImportFrom) -> str:
    """The package module a relative import names (``from .x import y`` in ``a.b``)."""
    package = module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, node.module]) if node.module else ".".join(base)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                targets = [_target(name, node)]
                if not node.module:
                    targets = [f"{targets[0]}.{a.name}".lstrip(".") for a in node.names]
                for target in targets:
                    target = _module_of(target, modules)
                    if target and target != name and target != "__init__":
                        graph[name].add(target)
    return graph


def _module_of(target: str, modules: dict[str, ast.Module]) -> str:
    """The module a dotted name lives in: itself, its package's ``__init__`` (``review``
    for a package ``review/``), or the nearest enclosing one (a name defined in it)."""
    while target and target not in modules:
        if f"{target}.__init__" in modules:
            return f"{target}.__init__"
        target = target.rpartition(".")[0]
    return target


def test_the_import_graph_has_no_cycles() -> None:
    graph = _graph()
    assert len(graph) > 15
    # Imports of a package (``from .checks import ...``) are edges to its __init__.
    assert any(target.endswith(".__init__") for deps in graph.values() for target in deps)
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_only_weasyprint_is_imported_inside_functions() -> None:
    found = []
    for name, tree in _modules().items():
        source = (PACKAGE / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        lines = source.splitlines()
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                root = (module or "").split(".")[0]
                if root not in LAZY:
                    found.append(f"{name}.py:{node.lineno}: {ast.unparse(node)}")
                    continue
                # The reason is written down: a comment on the line or in the lines above.
                nearby = "\n".join(lines[max(0, node.lineno - 6) : node.lineno])
                if not any(word in nearby for word in ("# Lazy", "# lazy", "WeasyPrint")):
                    found.append(f"{name}.py:{node.lineno}: lazy import without a comment")
    assert not found, "\n".join(found)


def test_every_module_says_what_it_is_for() -> None:
    for name, tree in _modules().items():
        doc = ast.get_docstring(tree)
        assert doc and len(doc.split()) >= 4, f"{name}.py has no first line saying what it does"


# Over the limit and being split by their owners; no other module may grow past it.
LONG_MODULES = {"cli", "render", "batch", "preflight", "desk.app"}
MAX_LINES = 500


def test_modules_are_short() -> None:
    """One responsibility per module: a module past a few hundred lines holds several."""
    long = {}
    for name in _modules():
        lines = len((PACKAGE / (name.replace(".", "/") + ".py")).read_bytes().splitlines())
        if lines > MAX_LINES and name not in LONG_MODULES:
            long[name] = lines
    assert not long, f"modules over {MAX_LINES} lines: {long}"
