"""Lightsail container services on the local backend (so far: the powers)."""

from __future__ import annotations

from pathlib import Path

from computetui.pricing import LIGHTSAIL_POWERS
from tests.local.lightsail.conftest import make_backend


def test_the_powers_are_lightsails_six_with_their_prices(tmp_path: Path) -> None:
    backend = make_backend(tmp_path / "state")
    try:
        powers = backend.lightsail.get_container_service_powers()
    finally:
        backend.close()
    assert [p.name for p in powers] == ["nano", "micro", "small", "medium", "large", "xlarge"]
    nano = powers[0]
    assert (nano.power_id, nano.cpu_count, nano.ram_size_in_gb, nano.price) == ("nano-1", 0.25, 0.5, 7.0)
    assert len(powers) == len(LIGHTSAIL_POWERS)
