"""Lambda's pages: the functions list, and the home page's line."""

from __future__ import annotations

from computetui.backends.base import Backend
from computetui.ui.format import counts, runtime_family, size, when
from computetui.ui.views import Column, ResourceView, Row, ServiceSpec, Summary, deleter


# -- Lambda ----------------------------------------------------------------
def _lambda_functions(b: Backend) -> list[Row]:
    assert b.lambda_ is not None
    rows = []
    for f in b.lambda_.list_functions():
        rows.append(
            Row(
                key=f.function_arn,
                name=f.function_name,
                state=f.state.value,
                cells={
                    "name": f.function_name,
                    "runtime": f.runtime.value if f.runtime else f.package_type.value,
                    "memory": f.memory_size,
                    "timeout": f"{f.timeout} s",
                    "code": size(f.code_size),
                    "modified": when(f.last_modified),
                    "state": f.state.value,
                },
                detail=f.to_aws(),
            )
        )
    return rows


def _lambda_summary(b: Backend) -> Summary:
    assert b.lambda_ is not None
    functions = b.lambda_.list_functions()
    runtimes = [runtime_family(f.runtime.value if f.runtime else None) for f in functions]
    return Summary(
        count=len(functions),
        lines=(
            ("Functions", str(len(functions))),
            ("States", counts([f.state.value for f in functions])),
            ("Runtimes", ", ".join(sorted(set(runtimes))) or "-"),
            ("Memory", f"{sum(f.memory_size for f in functions):,} MB configured"),
        ),
    )


SPEC = ServiceSpec(
    id="lambda",
    nav_label="Lambda",
    title="Lambda",
    facet="lambda_",
    summarize=_lambda_summary,
    views=(
        ResourceView(
            id="functions",
            title="Functions",
            noun="function",
            fetch=_lambda_functions,
            delete=deleter("lambda_", "delete_function"),
            opens="function",
            creates="function",
            logs="function-logs",
            columns=(
                Column("name", "Function name"),
                Column("runtime", "Runtime"),
                Column("memory", "Memory (MB)", "number"),
                Column("timeout", "Timeout", "number"),
                Column("code", "Code size", "number"),
                Column("modified", "Last modified", "time"),
                Column("state", "State", "state"),
            ),
        ),
    ),
)
