"""The sample workload: a little of every service, so a first run is not an empty box.

Made through the contract, like a user would; running it twice makes nothing
new. Its task definitions and job definition name an image the engine has or
the emulator makes (``sample_image.py`` picks it), so it runs without a
registry; definitions an earlier seeding left naming ``busybox:stable``, which
this engine lacks, get a revision with the image picked now.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from computetui.backends.base import SampleWorkload
from computetui.backends.errors import ComputeError, InvalidParameter
from computetui.backends.local.sample_image import PUBLIC_IMAGE, SampleImage, same_image
from computetui.blueprints import blueprint

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator
    from computetui.backends.local.sample_image import SampleImages

WEB_TASK_DEFINITION: dict[str, Any] = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {
            "name": "web",
            "image": PUBLIC_IMAGE,
            "command": [
                "sh",
                "-c",
                "mkdir -p /www && echo \"<h1>Hello from $(hostname)</h1>\" > /www/index.html "
                "&& exec httpd -f -v -p 8080 -h /www",
            ],
            "essential": True,
            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/web",
                    "awslogs-stream-prefix": "ecs",
                    "awslogs-region": "us-east-1",
                    "awslogs-create-group": "true",
                },
            },
        }
    ],
}

WORKER_TASK_DEFINITION: dict[str, Any] = {
    "family": "worker",
    "requiresCompatibilities": ["EC2"],
    "networkMode": "bridge",
    "containerDefinitions": [
        {
            "name": "worker",
            "image": PUBLIC_IMAGE,
            "command": ["sh", "-c", "while true; do echo working; sleep 5; done"],
            "cpu": 128,
            "memory": 128,
            "essential": True,
        }
    ],
}


REPORT_JOB_CONTAINER: dict[str, Any] = {
    "image": PUBLIC_IMAGE,
    "command": ["sh", "-c", "echo building report; sleep 3; echo done"],
    "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}],
}


def with_image(definition: dict[str, Any], image: str) -> dict[str, Any]:
    """A task definition of the sample's with ``image`` in each of its containers."""
    changed = copy.deepcopy(definition)
    for container in changed["containerDefinitions"]:
        container["image"] = image
    return changed


class _Picked:
    """The sample's image, chosen the first time a definition needs one (not at all otherwise)."""

    def __init__(self, images: SampleImages) -> None:
        self.images = images
        self.choice: SampleImage | None = None

    def __call__(self) -> SampleImage:
        if self.choice is None:
            self.choice = self.images.choose()
        return self.choice

    def replaces(self, image: str) -> bool:
        """Whether a definition of the sample's naming ``image`` should get a revision with the
        image picked now: it names busybox:stable, which the engine does not have, and a
        runnable one is to be had here."""
        if not same_image(image, PUBLIC_IMAGE):
            return False
        picked = self()
        return picked.offline and not same_image(picked.reference, PUBLIC_IMAGE)


SAMPLE_INSTANCE = "demo-web"
SAMPLE_PAGE = ("mkdir -p /www && echo '<h1>demo-web</h1><p>A Lightsail instance of the sample workload.</p>' "
               "> /www/index.html && httpd -p 80 -h /www && echo 'httpd serves /www on port 80'")


def _seed_lightsail(backend: Emulator, image: _Picked) -> list[str]:
    """One instance of the nginx blueprint. When the engine has no nginx image and the user mapped
    none, the blueprint runs the sample's image, its launch script serving a page with busybox's
    httpd (what the line says); when not even that can be had here, none is made (the sample's
    image line says what to install or set)."""
    lightsail = backend.lightsail
    assert lightsail is not None
    if any(i.name == SAMPLE_INSTANCE for i in lightsail.get_instances()):
        return []
    nginx = lightsail.images.get("nginx", "")  # type: ignore[attr-defined]
    try:
        has_nginx = backend.engine.image_exists(nginx)
    except ComputeError:
        has_nginx = False
    user_data = None
    how = f"{nginx}"
    if not has_nginx:
        picked = image()
        if not picked.offline:  # the sample's image line says what to install or set; seeding again makes it
            return []
        lightsail.images["nginx"] = picked.reference  # type: ignore[attr-defined]
        user_data = SAMPLE_PAGE
        how = f"{picked.reference} with busybox httpd, as {nginx} is not on the engine"
    lightsail.create_instances([SAMPLE_INSTANCE], f"{backend.region}a", "nginx", "nano_3_0", user_data=user_data,
                               tags=[{"key": "sample", "value": "computetui"}])
    return [f"Lightsail instance {SAMPLE_INSTANCE} (nginx blueprint on nano_3_0, $5/month; {how})"]


def seed(backend: Emulator, images: SampleImages) -> SampleWorkload:
    made: list[str] = []
    image = _Picked(images)
    lam, ecs, ecr, apigw, batch = backend.lambda_, backend.ecs, backend.ecr, backend.apigateway, backend.batch
    assert lam and ecs and ecr and apigw and batch

    existing_functions = {f.function_name for f in lam.list_functions()}
    for name, bp_id in (("hello-world", "hello-world-python"), ("hello-node", "hello-world-nodejs")):
        if name in existing_functions:
            continue
        bp = blueprint(bp_id)
        lam.create_function(
            function_name=name,
            runtime=bp.runtime,
            handler=bp.handler,
            code={"ZipFile": bp.zip()},
            description=f"{bp.title} blueprint",
            memory_size=128,
            timeout=3,
        )
        made.append(f"Lambda function {name} ({bp.runtime})")

    if "demo" not in {c.cluster_name for c in ecs.describe_clusters()}:
        ecs.create_cluster(cluster_name="demo")
        made.append("ECS cluster demo")
    if not ecs.list_container_instances("demo"):
        ecs.register_container_instance(cluster="demo", instance_type="t3.medium")
        made.append("ECS container instance in demo (t3.medium: 2 vCPU, 4 GiB; for the EC2 launch type)")
    families = set(ecs.list_task_definition_families(status="ALL"))
    for definition, what in (
        (WEB_TASK_DEFINITION, "Fargate, 0.25 vCPU, 0.5 GB"),
        (WORKER_TASK_DEFINITION, "EC2, bridge"),
    ):
        family = definition["family"]
        if family not in families:
            td = ecs.register_task_definition(with_image(definition, image().reference))
            made.append(f"ECS task definition {family}:{td.revision} ({what})")
            continue
        try:
            latest = ecs.describe_task_definition(family)
        except InvalidParameter:
            continue  # every revision deregistered: the user's doing, left as it is
        container = latest.container_definitions[0] if latest.container_definitions else None
        ours = container is not None and container.command == definition["containerDefinitions"][0]["command"]
        if ours and image.replaces(container.image):
            td = ecs.register_task_definition(with_image(definition, image().reference))
            made.append(f"ECS task definition {family}:{td.revision} ({what}; {td.container_definitions[0].image} "
                        f"rather than {container.image}, which the engine does not have)")

    repositories = {r.repository_name for r in ecr.describe_repositories()}
    for repo in ("demo/web", "demo/worker"):
        if repo not in repositories:
            ecr.create_repository(repository_name=repo)
            made.append(f"ECR repository {repo}")

    apis = {a.name for a in apigw.get_apis()}
    if "hello-api" not in apis:
        target = lam.get_function_configuration("hello-world").function_arn
        apigw.create_api(
            name="hello-api", protocol_type="HTTP", target=target, description="HTTP API in front of hello-world"
        )
        made.append("HTTP API hello-api -> hello-world")
    if "pets-api" not in {a.name for a in apigw.get_rest_apis()}:
        apigw.create_rest_api(name="pets-api", description="REST API example")
        made.append("REST API pets-api")

    if not batch.describe_compute_environments(["demo-fargate"]):
        batch.create_compute_environment(
            compute_environment_name="demo-fargate",
            type="MANAGED",
            compute_resources={"type": "FARGATE", "maxvCpus": 4, "subnets": ["subnet-local"]},
        )
        made.append("Batch compute environment demo-fargate (FARGATE, max 4 vCPU)")
    if not batch.describe_job_queues(["demo-queue"]):
        batch.create_job_queue(
            job_queue_name="demo-queue",
            priority=10,
            compute_environment_order=[{"order": 1, "computeEnvironment": "demo-fargate"}],
        )
        made.append("Batch job queue demo-queue (priority 10)")
    reports = batch.describe_job_definitions(job_definition_name="report")
    active = [d for d in reports if d.status == "ACTIVE"]
    latest_report = max(active, key=lambda d: d.revision) if active else None
    stale = (latest_report is not None and latest_report.container_properties is not None
             and latest_report.container_properties.command == REPORT_JOB_CONTAINER["command"]
             and image.replaces(latest_report.container_properties.image or ""))
    if not reports or stale:
        definition = batch.register_job_definition(
            job_definition_name="report",
            container_properties={**REPORT_JOB_CONTAINER, "image": image().reference},
            platform_capabilities=["FARGATE"],
            retry_strategy={"attempts": 2},
        )
        made.append(f"Batch job definition report:{definition.revision}"
                    + (f" ({image().reference} rather than {PUBLIC_IMAGE})" if stale else ""))
    made += _seed_lightsail(backend, image)
    choice = image.choice
    return SampleWorkload(made, image=choice.line if choice else None,
                          image_needs_registry=choice is not None and not choice.offline)
