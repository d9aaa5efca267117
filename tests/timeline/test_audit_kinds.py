"""Every audit kind the code writes is a declared AuditEvent.Kind.

The kinds are read from the source, not listed here, so a new `audit("x.y", ...)` call
fails this test until its kind gets a label (and the audit log filter offers it).
"""

import ast
import itertools
from pathlib import Path

from django.conf import settings

from crm.timeline.models import AuditEvent

SKIPPED_DIRS = {".venv", "node_modules", "tests", "migrations", "static", "templates", "var"}
# audit() itself forwards its caller's kind to AuditEvent; its callers are what we check.
WRITER = Path("crm/timeline/services.py")


def _python_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [
        path
        for path in sorted(base.rglob("*.py"))
        if not any(
            part in SKIPPED_DIRS or part.startswith(".")
            for part in path.relative_to(base).parts[:-1]
        )
    ]


def _kind_argument(call: ast.Call) -> ast.expr | None:
    """The kind passed to `audit(...)`, `AuditEvent(kind=...)` or `...objects.create`."""
    callee = ast.unparse(call.func)
    if callee == "audit" or callee.endswith(".audit"):
        if call.args:
            return call.args[0]
    elif callee not in ("AuditEvent", "AuditEvent.objects.create"):
        return None
    return next((kw.value for kw in call.keywords if kw.arg == "kind"), None)


def _possible_strings(node: ast.expr, scope: ast.AST) -> set[str] | None:
    """Every string `node` can evaluate to, or None if that can't be read statically.

    Follows what the code base does: literals, `a if c else b`, f-strings, and local
    names assigned those (`verb = "archived" if archived else "restored"`).
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _possible_strings(node.body, scope), _possible_strings(node.orelse, scope)
        return None if body is None or orelse is None else body | orelse
    if isinstance(node, ast.FormattedValue) and node.format_spec is None and node.conversion < 0:
        return _possible_strings(node.value, scope)
    if isinstance(node, ast.JoinedStr):
        parts = [_possible_strings(value, scope) for value in node.values]
        if any(part is None for part in parts):
            return None
        return {"".join(combination) for combination in itertools.product(*parts)}
    if isinstance(node, ast.Name):
        assigned = [
            assignment.value
            for assignment in ast.walk(scope)
            if isinstance(assignment, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == node.id for t in assignment.targets)
        ]
        values = [_possible_strings(value, scope) for value in assigned]
        if not values or any(value is None for value in values):
            return None  # a parameter, a tuple unpack...: can't tell
        return set().union(*values)
    return None


def _audited_kinds() -> tuple[dict[str, str], list[str]]:
    """({kind: first place it is written}, [places whose kind can't be read])."""
    kinds, unreadable = {}, []
    base = Path(settings.BASE_DIR)
    for path in _python_files():
        if path.relative_to(base) == WRITER:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        parents = {
            child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)
        }
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or (kind := _kind_argument(call)) is None:
                continue
            where = f"{path.relative_to(base)}:{call.lineno}"
            if ast.unparse(kind).startswith("AuditEvent.Kind."):
                continue  # a member by construction
            scope = call
            while scope in parents and not isinstance(
                scope, ast.FunctionDef | ast.AsyncFunctionDef
            ):
                scope = parents[scope]
            values = _possible_strings(kind, scope)
            if values is None:
                unreadable.append(f"{where}: {ast.unparse(kind)}")
                continue
            for value in values:
                kinds.setdefault(value, where)
    return kinds, unreadable


def test_every_audited_kind_is_a_declared_kind():
    kinds, unreadable = _audited_kinds()
    assert not unreadable, (
        "Pass audit() a string literal (or an f-string over local literals) so this "
        f"test can check it: {unreadable}"
    )
    undeclared = {
        kind: where for kind, where in kinds.items() if kind not in AuditEvent.Kind.values
    }
    assert not undeclared, f"Add these to AuditEvent.Kind (and make a migration): {undeclared}"


def test_the_scan_finds_literal_and_f_string_kinds():
    # Guards the scanner itself: an empty scan would pass the test above vacuously.
    kinds, _ = _audited_kinds()
    assert {"lead.created", "job.deleted", "job.archived", "job.restored"} <= kinds.keys()
    assert {"lead.archived", "lead.restored"} <= kinds.keys()
