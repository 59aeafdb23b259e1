"""Product packages hold product code: what each layer may import, checked on the source (ast).

Test doubles, stub servers, fixtures and sample files live in the test-support package
(tests/support/huleedu_testing); no product module imports it, pytest, or any tests module. The
shared libraries never import a service (or the CLI): services depend on libraries, not back.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("common_core", "huleedu_service_libs")
SERVICES = tuple(sorted(p.parent.name for p in ROOT.glob("services/*/*/__init__.py")))
APPLICATIONS = (*SERVICES, "huleedu_cli")
TEST_ONLY = ("huleedu_testing", "tests", "conftest", "pytest", "_pytest")


def _package_dirs() -> dict[str, list[Path]]:
    """Each product package's source folders (a service's Alembic migrations included)."""
    dirs = {lib: [ROOT / "libs" / lib / lib] for lib in LIBRARIES}
    for service in SERVICES:
        dirs[service] = [ROOT / "services" / service / service]
        if (ROOT / "services" / service / "migrations").is_dir():
            dirs[service].append(ROOT / "services" / service / "migrations")
    dirs["huleedu_cli"] = [ROOT / "clients" / "huleedu_cli" / "huleedu_cli"]
    return dirs


PRODUCT = _package_dirs()


def _modules(package: str) -> Iterator[Path]:
    for folder in PRODUCT[package]:
        yield from sorted(folder.rglob("*.py"))


def imported_names(source: str) -> set[str]:
    """Every absolute module name a module imports, at any depth (function-level included).

    importlib.import_module("x.y") with a literal name counts as an import of x.y.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _is_within(name: str, roots: tuple[str, ...]) -> bool:
    """Whether module `name` is one of `roots` or inside one (any `tests` package counts)."""
    parts = name.split(".")
    return parts[0] in roots or "tests" in parts


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in _modules(package):
        for name in sorted(imported_names(path.read_text())):
            if _is_within(name, forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_every_product_package_is_found() -> None:
    assert set(SERVICES) >= {"content_service", "file_service", "api_gateway_service"}
    for package in PRODUCT:
        assert any(_modules(package)), f"no modules found for {package}"


@pytest.mark.parametrize("package", sorted(PRODUCT))
def test_product_modules_import_no_test_code(package: str) -> None:
    assert _violations(package, TEST_ONLY) == []


@pytest.mark.parametrize("library", LIBRARIES)
def test_libraries_import_no_service(library: str) -> None:
    assert _violations(library, APPLICATIONS) == []


def test_no_test_support_folder_inside_a_product_package() -> None:
    found = [
        str(folder.relative_to(ROOT))
        for roots in PRODUCT.values()
        for root in roots
        for folder in root.rglob("*")
        if folder.is_dir() and folder.name in ("testing", "sample_files", "tests", "fakes")
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import huleedu_testing.servers", {"huleedu_testing.servers"}),
        ("def f():\n    from content_service.app import create_app", {"content_service.app"}),
        ("from . import sibling\nfrom .x import y", set()),
        (
            "import importlib\nimportlib.import_module('file_service.app')",
            {"importlib", "file_service.app"},
        ),
    ],
)
def test_imported_names_sees_nested_and_dynamic_imports(source: str, expected: set[str]) -> None:
    assert imported_names(source) == expected


def test_a_service_import_from_a_library_would_be_reported() -> None:
    assert _is_within("content_service.app", APPLICATIONS)
    assert _is_within("huleedu_testing.bos_stub", TEST_ONLY)
    assert _is_within("file_service.tests.unit.upload_fakes", TEST_ONLY)
    assert not _is_within("huleedu_service_libs.http", APPLICATIONS + TEST_ONLY)
