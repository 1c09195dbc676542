"""A handler that prints without end: its timeout holds, what is kept is capped, the store stays in its cap."""

from __future__ import annotations

import json
from pathlib import Path

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import OUTPUT_BYTES_PER_INVOCATION, LambdaRuntime
from computetui.backends.local.logs.facet import DEFAULT_MAX_GROUP_BYTES, FREE_PAGES_KEPT
from computetui.blueprints import zip_files
from tests.support.fakes import StaticEngine

PRINTS = (
    "import sys\n"
    "def handler(event, context):\n"
    "    chunk = ('x' * 99 + '\\n') * 10240\n"  # about 1 MB
    "    for _ in range(event['mb']):\n"
    "        sys.stdout.write(chunk)\n"
    "    sys.stdout.flush()\n"
    "    return 'done'\n"
)
PRINTS_FOREVER = (
    "import sys\n"
    "def handler(event, context):\n"
    "    chunk = ('y' * 99 + '\\n') * 10240\n"
    "    while True:\n"
    "        sys.stdout.write(chunk)\n"
)


def messages(backend: LocalBackend, function: str) -> list[str]:
    backend.part(LambdaRuntime).flush()
    group = f"/aws/lambda/{function}"
    return [e.message for s in backend.logs.describe_log_streams(group)
            for e in backend.logs.get_log_events(group, s.log_stream_name, start_from_head=True, limit=100_000)]


def test_what_an_invocation_prints_is_kept_up_to_its_cap_and_the_rest_is_counted(lam, python_function) -> None:  # noqa: ANN001
    python_function(PRINTS, memory_size=512, timeout=30)
    result = lam.lambda_.invoke("fn", json.dumps({"mb": 12}))
    assert result.function_error is None and result.payload == b'"done"'
    lines = messages(lam, "fn")
    output = [m for m in lines if m == "x" * 99]
    assert OUTPUT_BYTES_PER_INVOCATION - 100 <= 100 * len(output) <= OUTPUT_BYTES_PER_INVOCATION
    [dropped] = [m for m in lines if m.startswith("[computetui]")]
    assert f"{12 * 10240 * 100 - 100 * len(output):,} more bytes" in dropped
    assert lines[-2].startswith("END RequestId") and lines[-1].startswith("REPORT RequestId")
    again = lam.lambda_.invoke("fn", json.dumps({"mb": 0}))  # the count starts again with each invocation
    assert again.function_error is None
    assert sum(m.startswith("[computetui]") for m in messages(lam, "fn")) == 1


def test_a_handler_that_prints_without_end_still_times_out(lam, python_function) -> None:  # noqa: ANN001
    python_function(PRINTS_FOREVER, memory_size=512, timeout=2)
    result = lam.lambda_.invoke("fn")
    assert json.loads(result.payload)["errorType"] == "Sandbox.Timedout"
    assert lam.part(LambdaRuntime).environments() == []
    assert any(m.startswith("[computetui]") for m in messages(lam, "fn"))


def test_the_state_files_keep_a_flooded_log_group_within_its_cap_on_disk(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path, lambda_sandbox="process", engine=StaticEngine(), controller=False)
    try:
        backend.lambda_.create_function(function_name="fn", runtime="python3.12", handler="lambda_function.handler",
                                        code={"ZipFile": zip_files({"lambda_function.py": PRINTS})},
                                        memory_size=512, timeout=30)
        for _ in range(8):  # 8 x 2 MB kept: twice the group's cap
            assert backend.lambda_.invoke("fn", json.dumps({"mb": 3})).function_error is None
        backend.part(LambdaRuntime).flush()
        [group] = backend.logs.describe_log_groups("/aws/lambda/fn")
        assert group.stored_bytes <= DEFAULT_MAX_GROUP_BYTES
        with backend.store.reading() as db:
            assert db.execute("PRAGMA freelist_count").fetchone()[0] <= FREE_PAGES_KEPT  # the rest went back
        database = (tmp_path / "state.db").stat().st_size
        assert database <= DEFAULT_MAX_GROUP_BYTES * 1.5
    finally:
        backend.close()
