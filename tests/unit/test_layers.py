"""The house's plan, kept honest: the folder list reads as the architecture and imports point one way.

Layers, lowest first; a module may import its own layer and the layers below it, never one above:
- base: errors, clock, i18n, routes, text/ (Japanese text as stored and shown; no database);
- store: the database (one interface, two engines, migrations);
- rules: access (who may do what) and config (settings; one of them kept in the database);
- services: programme/, practice/, scoring/, dashboards/, certification/, privacy/, office/, library/ (they may use each
  other, without circles);
- demo: the demo builder (built through the services; the app builds it on a first start in demo mode);
- ui: the Streamlit edge (pages/ and app.py sit above it);
- serve: several app processes behind nginx;
- bench: the benchmark, which drives pages, servers and browsers;
- cli: the command line (__main__ and cli_*), the only module that imports the benchmark.
Only ui/ and bench/ import streamlit; nothing below ui imports coordsupervise.ui.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "coordsupervise"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE
LAYERS = ("base", "store", "rules", "services", "demo", "ui", "serve", "bench", "cli")
PLACE = {
    "errors": "base", "clock": "base", "i18n": "base", "routes": "base", "text": "base",
    "store": "store",
    "access": "rules", "config": "rules",
    "programme": "services", "practice": "services", "scoring": "services", "dashboards": "services",
    "certification": "services", "privacy": "services", "office": "services", "library": "services",
    "reminders": "services",
    "demo": "demo",
    "ui": "ui",
    "serve": "serve",
    "bench": "bench",
    "__main__": "cli",
}
STREAMLIT_ALLOWED = ("ui", "bench")
ROOT_LIMIT = 15


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(modules: dict[str, Path]) -> dict[str, list[tuple[str, int, tuple[str, ...]]]]:
    """Per module: (imported module, line, names taken from it) for every import, at any depth of the code (an
    import inside a function runs too). `from pkg import mod` counts as importing pkg.mod."""
    found = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges += [(a.name, node.lineno, ()) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                names = tuple(a.name for a in node.names if f"{source}.{a.name}" not in modules)
                edges += [(f"{source}.{a.name}", node.lineno, ()) for a in node.names
                          if f"{source}.{a.name}" in modules]
                if names or source not in modules:
                    edges.append((source, node.lineno, names))
        found[name] = edges
    return found


def _layer(module: str) -> str | None:
    first = module.split(".")[1] if module.count(".") else "__init__"
    if first.startswith("cli"):
        return "cli"
    return PLACE.get(first)


def _internal(edges, modules):
    return [(target, line, names) for target, line, names in edges if target in modules]


def test_every_module_has_a_layer():
    """A new module or package is placed in the plan above (a line in PLACE) before it can be imported anywhere."""
    modules = _modules()
    unplaced = sorted(m for m in modules if m != PACKAGE and _layer(m) is None)
    assert not unplaced, f"modules in no layer (add them to PLACE in this file): {unplaced}"


def test_no_import_runs_up_the_layers():
    modules = _modules()
    upward = []
    for module, edges in _imports(modules).items():
        if module == PACKAGE or _layer(module) is None:
            continue
        for target, line, _names in _internal(edges, modules):
            if target != PACKAGE and _layer(target) is not None \
                    and LAYERS.index(_layer(target)) > LAYERS.index(_layer(module)):
                upward.append(f"{module}:{line} ({_layer(module)}) imports {target} ({_layer(target)})")
    assert not upward, "imports running up the layers:\n" + "\n".join(upward)


def test_no_import_circles():
    modules = _modules()
    graph = {m: sorted({t for t, _line, _names in _internal(edges, modules) if t != m and t != PACKAGE})
             for m, edges in _imports(modules).items()}
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not circles, f"import circles: {circles}"


def test_services_never_import_streamlit_or_the_ui():
    """pages -> ui -> services -> store: a service stays importable and testable without a Streamlit server."""
    offenders = []
    for module, edges in _imports(_modules()).items():
        if _layer(module) in STREAMLIT_ALLOWED:
            continue
        for target, line, _names in edges:
            if target.split(".")[0] == "streamlit" or target.startswith(f"{PACKAGE}.ui"):
                offenders.append(f"{module}:{line} imports {target}")
    assert not offenders, "\n".join(offenders)


def test_no_module_takes_another_modules_private_names():
    """Two services that share a query share a public function in a module below both."""
    modules = _modules()
    private = [f"{module}:{line} takes {', '.join(n for n in names if n.startswith('_'))} from {target}"
               for module, edges in _imports(modules).items() for target, line, names in _internal(edges, modules)
               if any(n.startswith("_") and not n.startswith("__") for n in names)]
    assert not private, "\n".join(private)


def test_the_package_root_is_the_front_door_only():
    root = sorted(p.stem for p in ROOT.glob("*.py"))
    assert len(root) <= ROOT_LIMIT, f"{len(root)} modules in {PACKAGE}/: {root}"
    assert {"bench", "demo"} <= {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
