"""The Lightsail instances view's own keys, on the real engine: ``s`` stops or starts, ``b`` reboots."""

from __future__ import annotations

import pytest

from computetui.ui.services.lightsail.views import REBOOT, SPEC, START_STOP
from tests.local.lightsail.conftest import create, reaches

pytestmark = pytest.mark.docker


def row(backend):  # noqa: ANN001, ANN201
    [instances] = [view for view in SPEC.views if view.id == "instances"]
    [only] = instances.fetch(backend)
    return only


def test_start_stop_toggles_by_the_rows_state_and_reboot_reboots(lightsail_backend) -> None:  # noqa: ANN001
    create(lightsail_backend)
    reaches(lightsail_backend, "web", "running")
    assert START_STOP.what(row(lightsail_backend)) == "stop instance web"
    assert START_STOP.run(lightsail_backend, row(lightsail_backend)) == "Stopping instance web."
    reaches(lightsail_backend, "web", "stopped")
    assert START_STOP.what(row(lightsail_backend)) == "start instance web"
    assert START_STOP.run(lightsail_backend, row(lightsail_backend)) == "Starting instance web."
    reaches(lightsail_backend, "web", "running")
    assert REBOOT.run(lightsail_backend, row(lightsail_backend)) == "Rebooting instance web."
    assert lightsail_backend.lightsail.get_instance_state("web").name.value == "rebooting"
    reaches(lightsail_backend, "web", "running")
