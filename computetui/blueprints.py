"""Starter code for new Lambda functions, like the console's blueprints.

A blueprint is a runtime, a handler and a few files. ``zip_files`` packs files
the same way every time (fixed timestamps), so the same code always has the
same ``CodeSha256``.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)

HELLO_PYTHON = """\
import json


def lambda_handler(event, context):
    # The test event arrives as a dict; print() lines land in the function's log.
    print("key1 =", event.get("key1"))
    print("key2 =", event.get("key2"))
    print("key3 =", event.get("key3"))
    return {
        "statusCode": 200,
        "body": json.dumps("Hello from Lambda!"),
    }
"""

HELLO_NODE = """\
export const handler = async (event) => {
  // The test event arrives as an object; console.log lines land in the function's log.
  console.log("key1 =", event.key1);
  console.log("key2 =", event.key2);
  console.log("key3 =", event.key3);
  return {
    statusCode: 200,
    body: JSON.stringify("Hello from Lambda!"),
  };
};
"""


@dataclass(frozen=True)
class Blueprint:
    id: str
    title: str
    runtime: str
    handler: str
    files: dict[str, str]

    def zip(self) -> bytes:
        return zip_files(self.files)


BLUEPRINTS: tuple[Blueprint, ...] = (
    Blueprint(
        "hello-world-python",
        "Hello world (Python)",
        "python3.12",
        "lambda_function.lambda_handler",
        {"lambda_function.py": HELLO_PYTHON},
    ),
    Blueprint("hello-world-nodejs", "Hello world (Node.js)", "nodejs20.x", "index.handler", {"index.mjs": HELLO_NODE}),
)


def blueprint(blueprint_id: str) -> Blueprint:
    for bp in BLUEPRINTS:
        if bp.id == blueprint_id:
            return bp
    raise KeyError(blueprint_id)


def zip_folder(folder: Path) -> bytes:
    """A zip of every file below ``folder``, keeping which files are executable."""
    files: dict[str, str | bytes] = {}
    executable = set()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            name = path.relative_to(folder).as_posix()
            files[name] = path.read_bytes()
            if os.access(path, os.X_OK):
                executable.add(name)
    return zip_files(files, executable)


def zip_files(files: dict[str, str | bytes], executable: set[str] | frozenset[str] = frozenset()) -> bytes:
    """A zip of ``files`` (name -> content); names in ``executable`` get mode 755."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if name in executable else 0o644
            info.external_attr = (0o100000 | mode) << 16
            content = files[name]
            archive.writestr(info, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()
