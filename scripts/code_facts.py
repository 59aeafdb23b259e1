"""Facts about the repository's Python code: size, long modules and functions, layering, cycles.

Usage: .venv/bin/python scripts/code_facts.py [--json]   (or `make facts`)

Product code: the packages under libs/*/, services/*/ and clients/*/, less tests folders and
conftest.py files (test code: everything under a tests folder, every conftest.py). Test helpers
are modules of a `testing` package or under tests/. Cycles count module-level imports only
(an `if TYPE_CHECKING:` block never runs).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PARENTS = ("libs", "services", "clients")
SKIPPED_DIRS = {".venv", ".git", "node_modules", "__pycache__", ".local", ".mypy_cache", "dist"}
MODULE_LIMIT = 300
FUNCTION_LIMIT = 60


@dataclass(frozen=True)
class Module:
    """One product module: its dotted name, file and parsed source."""

    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    lines: int


@dataclass
class Facts:
    """Everything the script reports."""

    product_lines: int = 0
    testing_package_lines: int = 0
    test_lines: int = 0
    long_modules: list[dict[str, object]] = field(default_factory=list)
    long_functions: list[dict[str, object]] = field(default_factory=list)
    libraries_importing_services: list[dict[str, object]] = field(default_factory=list)
    product_importing_test_helpers: list[dict[str, object]] = field(default_factory=list)
    domain_importing_adapters: list[dict[str, object]] = field(default_factory=list)
    import_cycles: list[list[str]] = field(default_factory=list)


def _walk(folder: Path) -> Iterator[Path]:
    """Python files under folder, skipping environments, caches and build output."""
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            if path.name not in SKIPPED_DIRS and not path.name.startswith("."):
                yield from _walk(path)
        elif path.suffix == ".py":
            yield path


def _is_test_file(path: Path) -> bool:
    """Under a tests folder, or a conftest.py."""
    return path.name == "conftest.py" or "tests" in path.relative_to(ROOT).parts[:-1]


def _package_roots() -> dict[str, list[Path]]:
    """Top-level product packages per parent folder (libs, services, clients)."""
    roots: dict[str, list[Path]] = {}
    for parent in PRODUCT_PARENTS:
        found = sorted((ROOT / parent).glob("*/*/__init__.py"))
        roots[parent] = [p.parent for p in found if p.parent.name != "tests"]
    return roots


def _load_modules(roots: dict[str, list[Path]]) -> dict[str, Module]:
    """Every product module by dotted name."""
    modules: dict[str, Module] = {}
    for package in (p for paths in roots.values() for p in paths):
        for path in _walk(package):
            if _is_test_file(path):
                continue
            parts = path.relative_to(package.parent).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source, filename=str(path))
            modules[name] = Module(name, path, is_package, tree, len(source.splitlines()))
    return modules


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _is_test_helper(name: str) -> bool:
    parts = name.split(".")
    return "testing" in parts or "tests" in parts or parts[0] == "conftest"


def _is_type_checking(test: ast.expr) -> bool:
    """`if TYPE_CHECKING:` or `if typing.TYPE_CHECKING:`."""
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING"


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: not in functions, classes or TYPE_CHECKING."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _module_level_imports(block)
        elif isinstance(node, ast.With):
            yield from _module_level_imports(node.body)


def _resolve(module: Module, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement names (submodules where it names one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.name.split(".")
        if not module.is_package:
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    return [base, *(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")]


def _targets(module: Module, node: ast.Import | ast.ImportFrom, known: set[str]) -> list[str]:
    """Imported product modules: `from a import b` is a.b when that is a module, else a."""
    names = _resolve(module, node)
    if isinstance(node, ast.Import):
        return [n for n in names if n in known]
    base, members = names[0], names[1:]
    found = [m for m in members if m in known]
    if len(found) < len(members) and base in known:
        found.append(base)
    return found


def _all_imports(module: Module, known: set[str]) -> Iterator[tuple[int, str]]:
    """Every import anywhere in the module (line, module): `from a import b` names a, and a.b
    too when that is a product module."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base, *members = _resolve(module, node)
            yield node.lineno, base
            yield from ((node.lineno, m) for m in members if m in known)


def _long_functions(module: Module) -> Iterator[dict[str, object]]:
    """Functions (methods and nested ones too) longer than FUNCTION_LIMIT lines."""

    def visit(node: ast.AST, prefix: str) -> Iterator[dict[str, object]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if length > FUNCTION_LIMIT:
                    where = {"file": _rel(module.path), "line": child.lineno}
                    yield {**where, "name": name, "length": length}
                yield from visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")
            else:
                yield from visit(child, prefix)

    yield from visit(module.tree, "")


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Modules reachable from start by one import or more (start itself only through a cycle)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for child in graph[todo.pop()] - seen:
            seen.add(child)
            todo.append(child)
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle (first module repeated at the end) per strongly connected component."""
    reach = {name: _reachable(graph, name) for name in graph}
    covered: set[str] = set()
    cycles = []
    for name in sorted(graph):
        if name in covered or name not in reach[name]:
            continue
        component = {other for other in reach[name] if name in reach[other]}
        covered |= component
        cycles.append(_shortest_cycle(graph, name, component))
    return cycles


def _shortest_cycle(graph: dict[str, set[str]], start: str, component: set[str]) -> list[str]:
    """Breadth-first from start back to start, inside its component."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & component):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start, start]


Site = dict[str, object]


def _layering(
    modules: dict[str, Module], service_packages: set[str], library_packages: set[str]
) -> tuple[list[Site], list[Site], list[Site]]:
    """Libraries importing a service; product modules importing test helpers; domain -> adapters.

    One row per (importer, target), on the first line it appears.
    """
    into_services: dict[tuple[str, str], Site] = {}
    into_helpers: dict[tuple[str, str], Site] = {}
    into_adapters: dict[tuple[str, str], Site] = {}
    known = set(modules)
    for module in modules.values():
        in_library = module.name.split(".")[0] in library_packages
        for line, target in sorted(_all_imports(module, known)):
            site: Site = {"file": _rel(module.path), "line": line}
            site |= {"importer": module.name, "target": target}
            if in_library and target.split(".")[0] in service_packages:
                into_services.setdefault((module.name, target), site)
            if not _is_test_helper(module.name) and _is_test_helper(target):
                into_helpers.setdefault((module.name, target), site)
            if _layer(module.name) == "domain" and _layer(target) == "adapters":
                into_adapters.setdefault((module.name, target), site)
    return list(into_services.values()), list(into_helpers.values()), list(into_adapters.values())


def _layer(name: str) -> str | None:
    """A service module's layer (domain, adapters, api, ...): the folder below its package."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def collect() -> Facts:
    """Walk the repository and gather every fact."""
    roots = _package_roots()
    modules = _load_modules(roots)
    facts = Facts()
    for module in modules.values():
        facts.product_lines += module.lines
        if "testing" in module.name.split("."):
            facts.testing_package_lines += module.lines
        if module.lines > MODULE_LIMIT:
            facts.long_modules.append({"file": _rel(module.path), "lines": module.lines})
        facts.long_functions.extend(_long_functions(module))
    facts.test_lines = sum(
        len(p.read_text(encoding="utf-8").splitlines()) for p in _walk(ROOT) if _is_test_file(p)
    )
    facts.long_modules.sort(key=lambda row: (-int(str(row["lines"])), str(row["file"])))
    facts.long_functions.sort(key=lambda row: (-int(str(row["length"])), str(row["file"])))
    packages = {parent: {p.name for p in paths} for parent, paths in roots.items()}
    (
        facts.libraries_importing_services,
        facts.product_importing_test_helpers,
        facts.domain_importing_adapters,
    ) = _layering(modules, packages["services"], packages["libs"])
    known = set(modules)
    graph = {
        name: {t for node in _module_level_imports(m.tree.body) for t in _targets(m, node, known)}
        for name, m in modules.items()
    }
    facts.import_cycles = _cycles(graph)
    return facts


def _site(site: Site) -> str:
    return f"{site['file']}:{site['line']} {site['importer']} imports {site['target']}"


def report(facts: Facts) -> None:
    """The facts as text."""
    ratio = facts.test_lines / facts.product_lines if facts.product_lines else 0.0
    print(
        f"Python lines: product {facts.product_lines} (testing packages among them: "
        f"{facts.testing_package_lines}), tests {facts.test_lines} (tests/product {ratio:.2f})"
    )
    sections = {
        f"Product modules over {MODULE_LIMIT} lines": [
            f"{row['file']} ({row['lines']})" for row in facts.long_modules
        ],
        f"Product functions over {FUNCTION_LIMIT} lines": [
            f"{row['file']}:{row['line']} {row['name']} ({row['length']})"
            for row in facts.long_functions
        ],
        "Library modules importing a service": list(map(_site, facts.libraries_importing_services)),
        "Product modules importing test helpers": list(
            map(_site, facts.product_importing_test_helpers)
        ),
        "Domain modules importing adapters": list(map(_site, facts.domain_importing_adapters)),
        "Import cycles among product modules (module level)": [
            " -> ".join(cycle) for cycle in facts.import_cycles
        ],
    }
    for title, rows in sections.items():
        print(f"\n{title}: {len(rows)}")
        for row in rows:
            print(f"  {row}")


def main(argv: list[str] | None = None) -> int:
    """Print the facts (as JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    facts = collect()
    if args.json:
        json.dump(asdict(facts), sys.stdout, indent=2)
        print()
    else:
        report(facts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
