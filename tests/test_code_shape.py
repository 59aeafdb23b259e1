"""The shape every product module keeps, checked on the source by scripts/code_facts.py.

Small modules, short functions, a domain that depends on no adapter, no import loops: what
`make facts` reports, held at zero so a change that breaks one says so in `make test`.
"""

from __future__ import annotations

from typing import Any

import pytest

from .scripts_loader import load_script

code_facts: Any = load_script("scripts/code_facts.py")


@pytest.fixture(scope="module")
def facts() -> Any:
    return code_facts.collect()


def test_no_product_module_is_over_the_module_limit(facts: Any) -> None:
    assert facts.long_modules == [], f"split these (over {code_facts.MODULE_LIMIT} lines)"


def test_no_product_function_is_over_the_function_limit(facts: Any) -> None:
    assert facts.long_functions == [], f"split these (over {code_facts.FUNCTION_LIMIT} lines)"


def test_no_domain_module_imports_an_adapter(facts: Any) -> None:
    # The domain states what it needs as ports; adapters implement them.
    assert facts.domain_importing_adapters == []


def test_product_modules_import_no_loop(facts: Any) -> None:
    assert facts.import_cycles == []


def test_facts_see_the_whole_product(facts: Any) -> None:
    # A walk that found nothing would pass every check above.
    assert facts.product_lines > 10_000
