"""What the Lightsail operations the emulator offers take. Bad input is an
``InvalidInputException``."""

from __future__ import annotations

from computetui.backends.rules.validation import Dialect, ListOf, Request, String, Structure

INVALID_INPUT = Dialect("InvalidInputException")

# Lightsail's resource names: letters, digits, dots, dashes and underscores, starting with a
# letter or digit, at most 255 characters.
NAME = String(min=1, max=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TAGS = ListOf(Structure({"key": String(min=1, max=128), "value": String(max=256)}, required=("key",)), max=50)

INSTANCE = Request("GetInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
DELETE = Request("DeleteInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
START = Request("StartInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
STOP = Request("StopInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
REBOOT = Request("RebootInstance", INVALID_INPUT, {"instance_name": String(min=1)}, required=("instance_name",))
CREATE = Request(
    "CreateInstances",
    INVALID_INPUT,
    {
        "instance_names": ListOf(NAME, min=1, max=20),
        "availability_zone": String(min=1),
        "blueprint_id": String(min=1),
        "bundle_id": String(min=1),
        "user_data": String(max=16384, sensitive=True),
        "key_pair_name": String(min=1),
        "tags": TAGS,
    },
    required=("instance_names", "availability_zone", "blueprint_id", "bundle_id"),
)
