"""The console on the aws backend (moto's server on 127.0.0.1): switching region and profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from computetui.app import ComputeApp
from computetui.settings import Settings
from tests.support.aws import aws_credentials, moto_server  # noqa: F401
from tests.ui.helpers import SIZE, settle, type_text

pytestmark = pytest.mark.asyncio


def aws_app(endpoint: str, **settings: object) -> ComputeApp:
    return ComputeApp(Settings(backend="aws", endpoint_url=endpoint, region="us-east-1", refresh=0, **settings),
                      polling=False, blink=False)


async def until_ready(pilot, app: ComputeApp, region: str) -> None:  # noqa: ANN001
    for _ in range(200):
        await pilot.pause(0.05)
        info = app.overview.info
        if app.overview.state == "ready" and info is not None and info.region == region:
            return
    raise AssertionError(f"the backend did not reopen in {region}: {app.overview}")


async def test_region_command_reopens_the_backend_in_that_region(moto_server, aws_credentials) -> None:  # noqa: ANN001, F811
    app = aws_app(moto_server)
    async with app.run_test(size=SIZE) as pilot:
        await until_ready(pilot, app, "us-east-1")
        first = app.backend
        await type_text(pilot, ":region eu-west-1")
        await pilot.press("enter")
        await until_ready(pilot, app, "eu-west-1")
        assert app.backend is not first and app.backend.region == "eu-west-1"
        assert app.overview.info.account == "123456789012"
        await settle(pilot)
        from computetui.ui.widgets.header import ConsoleHeader

        header = app.screen.query_one(ConsoleHeader)
        shown = str(header.render())
        assert "eu-west-1" in shown and "123456789012" in shown


async def test_a_bad_region_or_unknown_profile_is_refused_inline(moto_server, aws_credentials, tmp_path: Path,  # noqa: ANN001, F811
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "aws-config").write_text("[profile dev]\nregion = us-west-2\n")
    app = aws_app(moto_server)
    async with app.run_test(size=SIZE) as pilot:
        await until_ready(pilot, app, "us-east-1")
        assert app.run_command(":region moon-1") == "'moon-1' is not a region name (like us-east-1 or eu-west-1)"
        assert app.run_command(":profile nope") == \
            "No profile 'nope' in your AWS config (have: dev); :profile - uses no profile"
        assert app.run_command(":region").startswith("Usage: :region NAME")
        assert app.backend.region == "us-east-1"
        assert app.run_command(":profile dev") is None
        await until_ready(pilot, app, "us-east-1")
        assert app.backend.profile == "dev"
        await settle(pilot)
        from computetui.ui.widgets.header import ConsoleHeader

        assert "profile dev" in str(app.screen.query_one(ConsoleHeader).render())
        assert app.run_command(":profile -") is None  # back to the environment's credentials
        for _ in range(200):
            await pilot.pause(0.05)
            if app.overview.state == "ready" and app.overview.info is not None and app.backend is not None \
                    and app.backend.profile != "dev":
                break
        assert app.backend.profile in (None, "default") and app.overview.info.account == "123456789012"


async def test_switching_is_refused_on_the_local_backend() -> None:
    from tests.ui.helpers import make_app

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "local emulator has one region" in app.run_command(":region eu-west-1")


async def test_the_sample_workload_key_is_neither_listed_nor_taken_on_aws(moto_server, aws_credentials) -> None:  # noqa: ANN001, F811
    from computetui.ui.screens.help import HelpScreen

    app = aws_app(moto_server)
    async with app.run_test(size=SIZE) as pilot:
        await until_ready(pilot, app, "us-east-1")
        assert app.offers_demo is False
        notes = len(app._notifications)
        await pilot.press("D")
        await settle(pilot)
        assert len(app._notifications) == notes  # nothing tried, nothing to say
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = [b.id for _, bindings in app.screen.sections for b in bindings]
        assert "seed-demo" not in listed and "help" in listed


async def test_a_service_on_aws_joins_the_target_group_given_by_arn(moto_server, aws_credentials) -> None:  # noqa: ANN001, F811
    import boto3
    from textual.widgets import Checkbox

    from computetui.ui.services.ecs.forms import CreateServiceForm
    from computetui.ui.services.ecs.screens import ClusterScreen
    from tests.support.aws import reset_moto

    reset_moto(moto_server)
    ecs = boto3.client("ecs", endpoint_url=moto_server, region_name="us-east-1")
    ecs.create_cluster(clusterName="shop")
    ecs.register_task_definition(family="web", networkMode="bridge", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 64, "portMappings": [{"containerPort": 80}]}])
    ec2 = boto3.client("ec2", endpoint_url=moto_server, region_name="us-east-1")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    elb = boto3.client("elbv2", endpoint_url=moto_server, region_name="us-east-1")
    group = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]

    app = aws_app(moto_server)
    async with app.run_test(size=SIZE) as pilot:
        await until_ready(pilot, app, "us-east-1")
        await app.push_screen(ClusterScreen("shop"))
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateServiceForm)
        assert not form.query(Checkbox).filter("#f-balancer")  # no balancer of the emulator's own on AWS
        form.query_one("#f-name").value = "web"  # type: ignore[attr-defined]
        form.query_one("#f-launch").value = "EC2"  # type: ignore[attr-defined]
        form.query_one("#f-desired").value = "0"  # type: ignore[attr-defined]
        form.query_one("#f-target_group").value = "web-tg"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Target group ARN: must look like" in str(form.query_one(".form-message").render())
        assert form.focused is form.query_one("#f-target_group")
        form.query_one("#f-target_group").value = group["TargetGroupArn"]  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
        [service] = ecs.describe_services(cluster="shop", services=["web"])["services"]
        assert service["loadBalancers"] == [
            {"targetGroupArn": group["TargetGroupArn"], "containerName": "web", "containerPort": 80}]


# -- Batch ---------------------------------------------------------------------------------------
async def test_a_batch_job_submitted_on_aws_is_listed_in_its_queue_and_opens(moto_server, aws_credentials) -> None:  # noqa: ANN001, F811
    from computetui.backends import open_backend
    from computetui.ui.services.batch.forms import SubmitJobForm
    from computetui.ui.services.batch.job import JobScreen
    from computetui.ui.services.batch.jobs import JobsScreen
    from tests.support.aws import reset_moto
    from tests.support.aws_stubs import batch_environment_kwargs, moto_batch_without_docker

    reset_moto(moto_server)
    with moto_batch_without_docker(moto_server):
        setup = open_backend("aws", endpoint_url=moto_server, region="us-east-1")
        assert setup.batch is not None
        environment = setup.batch.create_compute_environment(
            compute_environment_name="fargate",
            **batch_environment_kwargs(setup, {"type": "FARGATE", "maxvCpus": 16, "subnets": ["s"]}))
        setup.batch.create_job_queue("nightly", 10, [{"order": 1,
                                                      "computeEnvironment": environment.compute_environment_arn}])
        setup.batch.register_job_definition("report", container_properties={
            "image": "busybox", "command": ["echo", "hello"],
            "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]},
            platform_capabilities=["FARGATE"])
        setup.close()

        app = aws_app(moto_server)
        async with app.run_test(size=SIZE) as pilot:
            await until_ready(pilot, app, "us-east-1")
            await type_text(pilot, ":batch")
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("enter")  # the queue
            await settle(pilot)
            jobs = app.screen
            assert isinstance(jobs, JobsScreen) and jobs.queue == "nightly"
            await pilot.press("c")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SubmitJobForm) and form.value("definition") == "report:1"
            form.query_one("#f-name").value = "from-the-console"  # type: ignore[attr-defined]
            form.query_one("#f-command").value = "echo 'hi there'"  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            for _ in range(40):  # moto's Batch moves the job on in a thread of its own
                await settle(pilot)
                if app.screen is jobs and jobs.table.rows:
                    break
            [row] = jobs.table.rows
            assert row.name == "from-the-console" and row.cells["queue"] == "nightly"
            assert row.key.startswith("arn:aws:batch:us-east-1:")
            await pilot.press("enter")
            await settle(pilot)
            page = app.screen
            assert isinstance(page, JobScreen)
            details = str(page.query_one("#job-details").render())  # type: ignore[attr-defined]
            assert "echo 'hi there'" in details and "Cost on AWS" in details
