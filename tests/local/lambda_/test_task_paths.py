"""In the process sandbox the code lives in a host folder; what the caller and the logs see name
it /var/task, as on AWS. The runtime itself still finds the code where it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.backends.local.lambda_.sandbox import RUNTIMES_DIR, TaskPaths
from computetui.blueprints import zip_files

FAILING = "def handler(event, context):\n    print('here')\n    raise ValueError('bad input')\n"


def code_root(lam: LocalBackend) -> str:
    """The host folder under which the facet unpacks every function's code."""
    return str(lam.lambda_.code_root)


def test_an_error_names_the_function_file_under_var_task(lam: LocalBackend, python_function) -> None:  # noqa: ANN001
    python_function(FAILING)
    result = lam.lambda_.invoke("fn", log_type="Tail")
    trace = json.loads(result.payload)["stackTrace"]
    assert trace[0].startswith('  File "/var/task/lambda_function.py", line 3, in handler')
    assert code_root(lam) not in result.payload.decode()
    assert 'File "/var/task/lambda_function.py", line 3, in handler' in result.log_result
    assert code_root(lam) not in result.log_result


def test_a_syntax_error_names_the_function_file_under_var_task(lam: LocalBackend, python_function) -> None:  # noqa: ANN001
    python_function("def handler(:\n")
    result = lam.lambda_.invoke("fn", log_type="Tail")
    error = json.loads(result.payload)
    assert error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert error["stackTrace"][0].startswith('  File "/var/task/lambda_function.py" Line 1')
    assert code_root(lam) not in result.payload.decode() and code_root(lam) not in result.log_result
    lam.part(LambdaRuntime).flush()
    events = lam.logs.filter_log_events("/aws/lambda/fn")
    assert any('"/var/task/lambda_function.py"' in e.message for e in events)
    assert not any(code_root(lam) in e.message for e in events)


def test_the_runtime_still_reads_files_next_to_its_code(lam: LocalBackend, python_function) -> None:  # noqa: ANN001
    python_function(
        {
            "lambda_function.py": "import os\ndef handler(event, context):\n"
            "    with open(os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'data.txt')) as f:\n"
            "        print('read', f.read())\n"
            "    return open('data.txt').read()\n",
            "data.txt": "beside the code",
        }
    )
    for _ in range(2):  # cold, then warm
        result = lam.lambda_.invoke("fn", log_type="Tail")
        assert result.function_error is None, result.payload
        assert result.payload == b'"beside the code"'
        assert "read beside the code" in result.log_result


@pytest.mark.node
def test_a_node_error_names_the_function_file_under_var_task(lam: LocalBackend) -> None:
    source = "exports.handler = async () => { console.log('here'); throw new Error('bad input'); };\n"
    lam.lambda_.create_function(
        function_name="node-fn", runtime="nodejs20.x", handler="index.handler",
        code={"ZipFile": zip_files({"index.js": source})},
    )
    result = lam.lambda_.invoke("node-fn", log_type="Tail")
    error = json.loads(result.payload)
    assert error["errorMessage"] == "bad input"
    assert any(line.startswith("    at exports.handler (/var/task/index.js:1:") for line in error["trace"])
    # The runtime client is ours, and AWS keeps its own in /var/runtime: no host folder is named.
    assert any("(file:///var/runtime/runtime.mjs:" in line for line in error["trace"])
    for host in (code_root(lam), str(RUNTIMES_DIR)):
        assert host not in result.payload.decode() and host not in result.log_result


def test_only_whole_folder_names_are_rewritten(tmp_path: Path) -> None:
    root = tmp_path / "code" / "abc"
    root.mkdir(parents=True)
    paths = TaskPaths(root)
    assert paths.line(f'File "{root}/app.py", line 2') == 'File "/var/task/app.py", line 2'
    assert paths.line(f"cwd {root}") == "cwd /var/task"
    assert paths.line(f"{root}def/app.py") == f"{root}def/app.py"  # another folder, whose name starts alike
    assert paths.body(f'{{"stackTrace": ["{root}/app.py"]}}'.encode()) == b'{"stackTrace": ["/var/task/app.py"]}'
