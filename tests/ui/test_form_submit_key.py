"""One submit key on every form: ctrl+s submits each of the console's forms, and each form's
footer says so in its submit button's words (``^s Run``), beside esc Cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Footer

from computetui.models import apigateway as m
from computetui.ui.services.apigateway.forms import CreateIntegrationForm, CreateRouteForm, CreateStageForm
from computetui.ui.services.apigateway.http_forms import (
    AccessLogForm,
    CorsForm,
    CreateAuthorizerForm,
    RouteAuthorizationForm,
    ThrottlingForm,
)
from computetui.ui.services.apigateway.key_forms import AddPlanKeyForm, CreateApiKeyForm, CreateUsagePlanForm
from computetui.ui.services.apigateway.rest_forms import CreateAuthorizerForm as CreateRestAuthorizerForm
from computetui.ui.services.apigateway.rest_forms import CreateMethodForm, CreateResourceForm, DeployForm
from computetui.ui.services.batch.forms import CreateComputeEnvironmentForm, CreateJobQueueForm, SubmitJobForm
from computetui.ui.services.ecr.forms import CreateRepositoryScreen, PushImageScreen
from computetui.ui.services.ecs.forms import (
    AutoScalingForm,
    CreateClusterForm,
    CreateServiceForm,
    RegisterInstanceForm,
    RunTaskForm,
    UpdateServiceForm,
)
from computetui.ui.services.lambda_.create_function import CreateFunctionScreen
from computetui.ui.services.lightsail.forms import (
    AttachStaticIpForm,
    CreateContainerServiceForm,
    CreateFromSnapshotForm,
    CreateInstancesForm,
    CreateSnapshotForm,
    DeploymentForm,
    PortForm,
    UpdateContainerServiceForm,
)
from computetui.ui.widgets.form import Form
from tests.ui.helpers import SIZE, make_app, settle, shown_text

pytestmark = pytest.mark.asyncio

PETS_API, PETS_ROOT = "6mi0yhz0na", "rtbnlzgcjn"
"""The seeded demo's REST API pets-api and its root resource (fixed ids: the demo's seed)."""
FORMS: dict[str, tuple[Callable[[], Form[Any]], str]] = {
    "create-function": (CreateFunctionScreen, "Create function"),
    "create-cluster": (CreateClusterForm, "Create"),
    "run-task": (lambda: RunTaskForm("demo"), "Run"),
    "register-instance": (lambda: RegisterInstanceForm("demo"), "Register"),
    "create-service": (lambda: CreateServiceForm("demo"), "Create"),
    "update-service": (lambda: UpdateServiceForm("demo", "web"), "Update"),
    "auto-scaling": (lambda: AutoScalingForm("demo", "web"), "Save"),
    "create-repository": (CreateRepositoryScreen, "Create repository"),
    "push-image": (lambda: PushImageScreen("demo/web"), "Push"),
    "submit-job": (lambda: SubmitJobForm("demo-queue"), "Submit"),
    "create-compute-environment": (CreateComputeEnvironmentForm, "Create"),
    "create-job-queue": (CreateJobQueueForm, "Create"),
    "create-instances": (CreateInstancesForm, "Create"),
    "create-from-snapshot": (lambda: CreateFromSnapshotForm("demo-web-snap", "nano_3_0"), "Create"),
    "create-snapshot": (lambda: CreateSnapshotForm("demo-web", "demo-web-1"), "Take snapshot"),
    "open-port": (lambda: PortForm("demo-web"), "Open"),
    "attach-static-ip": (lambda: AttachStaticIpForm("demo-web"), "Attach"),
    "create-container-service": (CreateContainerServiceForm, "Create"),
    "update-container-service": (lambda: UpdateContainerServiceForm("web", "nano", 1), "Update"),
    "deploy": (lambda: DeploymentForm("web"), "Deploy"),
    "create-route": (lambda: CreateRouteForm("api1234567", "hello-api"), "Create"),
    "create-integration": (lambda: CreateIntegrationForm("api1234567", "hello-api"), "Create"),
    "create-stage": (lambda: CreateStageForm("api1234567", "hello-api"), "Create"),
    "create-authorizer": (lambda: CreateAuthorizerForm("api1234567", "hello-api"), "Create"),
    "route-authorization": (lambda: RouteAuthorizationForm(
        "api1234567", m.Route(route_id="r123456", route_key="$default")), "Save"),
    "cors": (lambda: CorsForm("api1234567", "hello-api", None), "Save"),
    "throttling": (lambda: ThrottlingForm("api1234567", "hello-api"), "Save"),
    "access-logs": (lambda: AccessLogForm("api1234567", "hello-api"), "Save"),
    "create-resource": (lambda: CreateResourceForm(PETS_API, "pets-api", PETS_ROOT), "Create"),
    "create-method": (lambda: CreateMethodForm(PETS_API, "pets-api", PETS_ROOT, "/"), "Create"),
    "deploy-rest-api": (lambda: DeployForm(PETS_API, "pets-api"), "Deploy"),
    "create-rest-authorizer": (lambda: CreateRestAuthorizerForm(PETS_API, "pets-api"), "Create"),
    "create-api-key": (CreateApiKeyForm, "Create"),
    "create-usage-plan": (CreateUsagePlanForm, "Create"),
    "add-plan-key": (lambda: AddPlanKeyForm("plan12", "basic"), "Add"),
}


def every_form_class() -> set[type]:
    """Every form the console has: the Form subclasses that make a call (ClusterForm is a base)."""
    found: set[type] = set()
    todo = list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("computetui.") and cls.prepare is not Form.prepare:
            found.add(cls)
    return found


async def test_every_form_of_the_console_is_checked_here() -> None:
    app = make_app()
    async with app.run_test(size=SIZE):
        listed = {type(make()) for make, _ in FORMS.values()}
    app.backend.close()
    assert every_form_class() == listed


@pytest.mark.parametrize("name", list(FORMS))
async def test_ctrl_s_is_the_forms_submit_key_and_its_footer_says_so(name: str) -> None:
    make, verb = FORMS[name]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = make()
        assert form.verb == verb  # the footer's words are the submit button's
        app.push_screen(form)
        await settle(pilot)
        assert app.screen is form
        assert form.active_bindings["ctrl+s"].binding.action == "submit"
        footer = shown_text(form.query_one(Footer))
        assert footer.startswith(f"esc Cancel ^s {verb}")
    app.backend.close()
