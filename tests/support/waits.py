"""What tests on a real engine share: a bounded wait, and removing what a backend's owner left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def until(condition: Callable[[], Any], timeout: float = 30, every: float = 0.05) -> Any:
    """Poll ``condition`` until it is truthy (returned) or ``timeout`` seconds have passed (an AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s")


def remove_owned(docker_client: Any, owner: str) -> None:
    """Remove every container labelled with this owner (a test's backend), whatever its state."""
    import docker.errors

    for container in docker_client.containers.list(all=True, sparse=True,
                                                   filters={"label": f"computetui.owner={owner}"}):
        try:
            container.remove(force=True)
        except docker.errors.NotFound:  # the backend's own clean-up got there first
            pass
        except docker.errors.APIError as exc:  # ... or is at it now
            if exc.status_code != 409:
                raise


def remove_owned_by_state(state_dir: Any) -> None:
    """Remove what a console or server on ``state_dir`` left on the engine (the sample workload's
    Lightsail instance outlives it, as an instance does): its containers, by the state dir's id.
    Nothing to do without an engine."""
    from pathlib import Path

    from computetui.backends.local.state import StateStore

    if not (Path(state_dir) / "state.db").exists():
        return
    try:
        import docker
        import docker.errors

        client = docker.from_env(timeout=10)
        client.ping()
    except Exception:  # no engine here: nothing of ours on it
        return
    store = StateStore(Path(state_dir) / "state.db")
    try:
        owner = store.state_id
    finally:
        store.close()
    remove_owned(client, owner)

