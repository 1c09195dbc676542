"""Layers only import downwards: checked in a fresh interpreter, where sys.modules tells the truth."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules_after_import(*modules: str) -> set[str]:
    code = "import sys, json\n" + "".join(f"import {m}\n" for m in modules) + "print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(out.stdout))


def top_level(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize(
    "module",
    [
        "computetui.backends",
        "computetui.backends.base",
        "computetui.backends.local",
        "computetui.models.ecs",
        "computetui.models.lambda_",
        "computetui.pricing",
        "computetui.concepts",
    ],
)
def test_backends_models_and_pricing_import_no_textual(module: str) -> None:
    loaded = modules_after_import(module)
    assert "textual" not in top_level(loaded)
    assert not any(name.startswith("computetui.ui") for name in loaded)


def test_the_ui_imports_no_docker_boto3_or_backend_module() -> None:
    loaded = modules_after_import("computetui.app", "computetui.ui.pages.service", "computetui.ui.commands")
    tops = top_level(loaded)
    assert "docker" not in tops
    assert "boto3" not in tops and "botocore" not in tops
    assert not any(name.startswith(("computetui.backends.local", "computetui.backends.aws")) for name in loaded)


def test_the_app_paints_its_first_frame_without_pydantic_or_the_models() -> None:
    """pydantic's import alone costs ~100 ms: the models load with the first rows, in a worker."""
    loaded = modules_after_import("computetui.app")
    assert "pydantic" not in top_level(loaded)
    assert not any(name.startswith("computetui.models.") for name in loaded)


def test_the_local_backend_does_not_load_boto3_or_the_docker_sdk_until_used() -> None:
    loaded = modules_after_import("computetui.backends.local")
    tops = top_level(loaded)
    assert "boto3" not in tops
    assert "docker" not in tops


def test_the_http_package_imports_only_the_standard_library_and_itself() -> None:
    # Read, not imported: importing it runs computetui.backends.local's __init__, which
    # loads the services; what matters is that the package's own modules name none of them.
    package = ROOT / "computetui" / "backends" / "local" / "http"
    outside: set[str] = set()
    own = 0
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.startswith("computetui.backends.local.http."):
                    own += 1
                elif name.split(".")[0] not in sys.stdlib_module_names and name != "__future__":
                    outside.add(f"{path.name}: {name}")
    assert outside == set(), "local/http uses the standard library and itself: no service, no Docker, no Textual"
    assert own, "the check saw the package's imports of its own modules"


def test_no_module_imports_itself_back_through_others() -> None:
    """No import cycle between modules, counting imports inside functions and those made for type
    annotations only (import-linter's acyclic_siblings contract checks packages; this checks modules)."""
    import grimp

    graph = grimp.build_graph("computetui", exclude_type_checking_imports=False)
    cycles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def _strongly_connected(graph) -> list[set[str]]:  # noqa: ANN001 - a grimp ImportGraph
    """Tarjan's algorithm over the package's own modules, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c.startswith("computetui")), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                found.append(component)
    return found
