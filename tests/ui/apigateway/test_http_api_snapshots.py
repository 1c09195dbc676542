"""Pictures of an HTTP API's page on the sample's hello-api: its Routes, Integrations and Stages
tabs, and its Authorizers, CORS and Throttling tabs (none set yet). Regenerate with ``pytest tests/ui/apigateway --snapshot-update`` and look at them."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from computetui.ui.services.apigateway.http_api import HttpApiScreen
from computetui.ui.services.apigateway.rest_api import RestApiScreen
from tests.ui.apigateway.navigate import open_api_page
from tests.ui.helpers import SIZE, make_app, settle


def on_api(tab: str) -> object:
    async def go(pilot: Pilot) -> None:
        await open_api_page(pilot, "hello-api", HttpApiScreen, tab)

    return go


@pytest.mark.parametrize("tab", ["routes", "integrations", "stages", "authorizers", "cors", "throttling"])
def test_http_api_tab_snapshot(snap_compare, tab: str) -> None:  # noqa: ANN001
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=on_api(tab))


def on_rest_api(pilot_tab: str) -> object:
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        gw = pilot.app.backend.apigateway  # type: ignore[attr-defined]
        api = next(a for a in gw.get_rest_apis() if a.name == "pets-api")
        [root] = gw.get_resources(api.id)
        pets = gw.create_resource(api.id, root.id, "pets")
        pet = gw.create_resource(api.id, pets.id, "{id}")
        for resource, verb in ((pets, "GET"), (pet, "GET"), (pet, "DELETE")):
            gw.put_method(api.id, resource.id, verb, api_key_required=verb == "DELETE")
            gw.put_integration(api.id, resource.id, verb, "MOCK",
                               request_templates={"application/json": '{"statusCode": 200}'})
        gw.create_rest_deployment(api.id, "prod")
        await open_api_page(pilot, "pets-api", RestApiScreen, pilot_tab)

    return go


@pytest.mark.parametrize("tab", ["resources", "stages", "metrics", "logs"])
def test_rest_api_tab_snapshot(snap_compare, tab: str) -> None:  # noqa: ANN001
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=on_rest_api(tab))
