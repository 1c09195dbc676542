"""The sample workload: a little of every service, so a first run is not an empty box.

Made through the contract, like a user would; running it twice makes nothing
new. Returns one line per resource it made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.blueprints import blueprint

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

WEB_TASK_DEFINITION = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "busybox:stable",
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

WORKER_TASK_DEFINITION = {
    "family": "worker",
    "requiresCompatibilities": ["EC2"],
    "networkMode": "bridge",
    "containerDefinitions": [
        {
            "name": "worker",
            "image": "busybox:stable",
            "command": ["sh", "-c", "while true; do echo working; sleep 5; done"],
            "cpu": 128,
            "memory": 128,
            "essential": True,
        }
    ],
}


def seed(backend: Emulator) -> list[str]:
    made: list[str] = []
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
    for definition, line in (
        (WEB_TASK_DEFINITION, "ECS task definition web:1 (Fargate, 0.25 vCPU, 0.5 GB)"),
        (WORKER_TASK_DEFINITION, "ECS task definition worker:1 (EC2, bridge)"),
    ):
        if definition["family"] not in families:
            ecs.register_task_definition(definition)
            made.append(line)

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
    if not batch.describe_job_definitions(job_definition_name="report"):
        batch.register_job_definition(
            job_definition_name="report",
            container_properties={
                "image": "busybox:stable",
                "command": ["sh", "-c", "echo building report; sleep 3; echo done"],
                "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}],
            },
            platform_capabilities=["FARGATE"],
            retry_strategy={"attempts": 2},
        )
        made.append("Batch job definition report:1")
    return made
