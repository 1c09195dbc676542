"""The contract, on every backend: Lightsail's catalogue."""

from __future__ import annotations

import pytest

from computetui.backends.errors import NotFound
from tests.support.aws_stubs import lightsail_catalogue_answers


def test_lightsail_catalogue(contract_backend) -> None:  # noqa: ANN001
    # aws: moto has no Lightsail; botocore's Stubber answers with AWS's catalogue in AWS's shape
    # (tests/support/aws_stubs.py; tests/aws/test_lightsail.py covers the rest). local: no-op.
    with lightsail_catalogue_answers(contract_backend):
        bundles = {b.bundle_id: b for b in contract_backend.lightsail.get_bundles()}
        assert bundles["nano_3_0"].price == 5.0 and bundles["nano_3_0"].ram_size_in_gb == 0.5
        assert {b.blueprint_id for b in contract_backend.lightsail.get_blueprints()} >= {"wordpress", "nginx"}
        assert contract_backend.lightsail.get_instances() == []
        with pytest.raises(NotFound):
            contract_backend.lightsail.get_instance("nope")
