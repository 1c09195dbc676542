"""Max Memory Used is measured however an invocation ends, in the result and on the REPORT line."""

from __future__ import annotations

import json
import re

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import report_line

# 40 MB written, so it is resident, then the handler does what the test asks.
HOG = "HOG = b'x' * (40 * 1024 * 1024)\n"


def reported_mb(result) -> int | None:  # noqa: ANN001
    """The REPORT line's Max Memory Used; None when the line gives none."""
    found = re.search(r"Max Memory Used: (\d+) MB", result.log_result.splitlines()[-1])
    return int(found.group(1)) if found else None


def test_a_timeout_reports_the_memory_the_function_used(lam: LocalBackend, python_function) -> None:  # noqa: ANN001
    python_function(HOG + "import time\ndef handler(event, context):\n    time.sleep(30)\n", timeout=1)
    result = lam.lambda_.invoke("fn", log_type="Tail")
    assert json.loads(result.payload)["errorType"] == "Sandbox.Timedout"
    assert 40 < result.max_memory_used_mb < 128
    assert reported_mb(result) == result.max_memory_used_mb


def test_a_syntax_error_reports_the_memory_of_init(lam: LocalBackend, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    return 1\n", name="fine")
    normal = lam.lambda_.invoke("fine").max_memory_used_mb
    python_function("def handler(:\n", name="broken")
    result = lam.lambda_.invoke("broken", log_type="Tail")
    assert json.loads(result.payload)["errorType"] == "Runtime.UserCodeSyntaxError"
    # The runtime was up to the import of the handler: about what a normal run of it uses.
    assert normal / 2 <= result.max_memory_used_mb <= normal * 2
    assert reported_mb(result) == result.max_memory_used_mb


def test_a_runtime_that_exits_by_itself_mid_invocation_has_no_figure(lam: LocalBackend, python_function) -> None:  # noqa: ANN001
    # Its processes are gone before anything can read their peak: the figure is not made up.
    python_function(HOG + "import os\ndef handler(event, context):\n    os._exit(3)\n")
    result = lam.lambda_.invoke("fn", log_type="Tail")
    assert json.loads(result.payload)["errorType"] == "Runtime.ExitError"
    assert result.max_memory_used_mb is None
    assert result.log_result.splitlines()[-1].startswith("REPORT RequestId: ")
    assert reported_mb(result) is None


def test_without_a_figure_the_report_line_leaves_max_memory_used_out() -> None:
    line = report_line("r-1", 1.5, 2, 128, None, None)
    assert line == "REPORT RequestId: r-1\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB"
    assert report_line("r-1", 1.5, 2, 128, 41, 80.0).endswith("\tMax Memory Used: 41 MB\tInit Duration: 80.00 ms")

