"""The house's rules, read from the code's imports (every `import`, at module level or in a
function): the core knows no domain, and each domain imports only what it builds on.

    crm ← leads ← (jobs ← finance), contractors ← jobs, booking builds on jobs' settings;
    messaging builds on leads (threads link to leads; finance picks its outbound number);
    automations hears every domain's events, and no domain imports it;
    crm's tasks, reports and AI assistant read every domain, and no domain imports them

A new import against the arrows fails here; an event handler or a reverse relation is the
way across.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ("leads", "contractors", "jobs", "finance", "booking", "messaging", "automations")
# Inside crm but above the domains: their panels and numbers are made of the domains' data.
READERS = ("crm.todos", "crm.reports", "crm.assistant")
# package → the packages (or subpackages) it must never import
FORBIDDEN = {
    "crm": DOMAINS,
    "leads": ("jobs", "finance", "booking", "contractors", "automations", "messaging", *READERS),
    "contractors": ("jobs", "finance", "booking", "leads", "messaging", "automations", *READERS),
    "jobs": ("finance", "booking", "messaging", "automations", *READERS),
    "finance": ("automations", *READERS),
    "booking": ("messaging", "automations", *READERS),
    "messaging": ("automations", *READERS),
    "automations": READERS,
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return found


def breaches(package: str) -> list[str]:
    banned = FORBIDDEN[package]
    readers = {ROOT.joinpath(*reader.split(".")) for reader in READERS}
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue  # migrations name other apps' models by design
        if any(path.is_relative_to(reader) for reader in readers):
            continue  # they may read every domain
        for line, module in imported_modules(path):
            if any(module == name or module.startswith(f"{name}.") for name in banned):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", FORBIDDEN)
def test_no_import_against_the_dependency_arrows(package):
    assert breaches(package) == []


def test_the_walk_sees_function_level_imports(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text("def handler():\n    from jobs.models import Job\n")
    assert imported_modules(module) == [(2, "jobs.models")]
