"""What the Lightsail operations the emulator offers take. Bad input is an
``InvalidInputException``."""

from __future__ import annotations

from computetui.backends.rules.validation import Dialect, Request, String

INVALID_INPUT = Dialect("InvalidInputException")

INSTANCE = Request("GetInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
