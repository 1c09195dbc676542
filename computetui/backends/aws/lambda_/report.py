"""The REPORT line of an invocation's log tail, read into its figures (text and JSON log formats).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

_REPORT_FIELD = re.compile(
    r"(Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|Max Memory Used|Memory Size|Duration)"
    r": ([0-9.]+) (?:ms|MB)"
)

_REQUEST_ID = re.compile(r"RequestId: (\S+)")

def parse_report(log: str, request_id: str | None = None) -> dict[str, float]:
    """The REPORT figures in a log tail: ``{"Duration": 1.2, "Billed Duration": 2, ...}``.

    The REPORT of ``request_id`` when the tail holds several, else the last one. Reads the
    text format (``REPORT RequestId: ...\\tDuration: 1.23 ms\\t...``) and the JSON log
    format's ``platform.report`` record.
    """
    found: dict[str, float] = {}
    for line in log.splitlines():
        line = line.strip()
        figures: dict[str, float] = {}
        owner = None
        if line.startswith("REPORT "):
            figures = {name: float(value) for name, value in _REPORT_FIELD.findall(line)}
            match = _REQUEST_ID.search(line)
            owner = match.group(1) if match else None
        elif line.startswith("{") and "platform.report" in line:
            figures, owner = _json_report(line)
        if not figures:
            continue
        if request_id is not None and owner == request_id:
            return figures
        found = figures
    return found


def _json_report(line: str) -> tuple[dict[str, float], str | None]:
    try:
        record = json.loads(line)
    except ValueError:
        return {}, None
    if not isinstance(record, dict) or record.get("type") != "platform.report":
        return {}, None
    body = record.get("record") or {}
    metrics = body.get("metrics") or {}
    names = {
        "durationMs": "Duration",
        "billedDurationMs": "Billed Duration",
        "memorySizeMB": "Memory Size",
        "maxMemoryUsedMB": "Max Memory Used",
        "initDurationMs": "Init Duration",
    }
    figures = {names[k]: float(v) for k, v in metrics.items() if k in names and isinstance(v, (int, float))}
    return figures, body.get("requestId")

