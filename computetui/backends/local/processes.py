"""Processes of this machine, as the emulator's services ask after them."""

from __future__ import annotations

import os


def alive(pid: int | None) -> bool:
    """Whether a process with this id runs now (one of another user's counts: it is there).

    The emulator notes which process owns a record's work (a Batch attempt it watches, a
    Lightsail instance it is starting, a Lambda environment it runs); another process takes the
    work over only once that one is gone.
    """
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
