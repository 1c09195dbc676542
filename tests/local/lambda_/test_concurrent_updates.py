"""Two processes on one state dir updating one function from several threads each: no
acknowledged update is lost (issue 10, finding 4: 78 of 3,000 were silently reverted)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import lost_updates as lu

CALLS = int(os.environ.get("COMPUTETUI_LOST_UPDATE_CALLS", "200"))
"""Updates per process (split over its threads); the finding's run is 1,500."""


def test_two_processes_updating_other_fields_revert_none_of_each_others(tmp_path: Path) -> None:
    state_dir = str(tmp_path)
    lu.make_function(state_dir)
    per_thread = CALLS // lu.THREADS
    reports = lu.run_two(lu.owned_fields_worker, state_dir, per_thread)

    reverted = {field: n for r in reports for field, n in r["reverts"].items() if n}
    assert reverted == {}
    last = {**reports[0]["last"], **reports[1]["last"]}
    final = lu.final_configuration(state_dir)
    assert {field: read(final) for field, _value, read in lu.FIELDS} == last


def test_conditional_updates_from_two_processes_keep_every_acknowledged_key(tmp_path: Path) -> None:
    state_dir = str(tmp_path)
    lu.make_function(state_dir)
    per_thread = 60 // lu.THREADS  # the environment variables cap at 4 KB
    reports = lu.run_two(lu.revision_keys_worker, state_dir, per_thread)

    acknowledged = {key for r in reports for key in r["acknowledged"]}
    assert len(acknowledged) == 2 * lu.THREADS * per_thread
    final = lu.final_configuration(state_dir)
    assert acknowledged - set(final.environment.variables) == set()
