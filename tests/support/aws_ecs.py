"""Helpers for the aws backend's ECS tests against moto: a Fargate task definition
moto can place, a network configuration from moto's default VPC, an EC2 instance's identity document."""

from __future__ import annotations

from typing import Any

from computetui.backends.aws import AwsBackend

WEB = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    # moto sums the containers' memory to place a task, so each container says its own
    "containerDefinitions": [{"name": "web", "image": "busybox", "memory": 256,
                              "portMappings": [{"containerPort": 80}]}],
}
EC2_WEB = {"family": "ec2web", "containerDefinitions": [{"name": "web", "image": "busybox", "memory": 128}]}


def awsvpc(backend: AwsBackend) -> dict[str, Any]:
    """A network configuration from moto's default VPC (moto makes the task's ENI in it)."""
    ec2 = backend.client("ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}


def ec2_document(backend: AwsBackend) -> dict[str, str]:
    """An EC2 instance's identity document, as the ECS agent would send it (moto checks the instance)."""
    ec2 = backend.client("ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.medium")["Instances"][0]
    return {"instanceId": instance["InstanceId"], "region": "us-east-1", "instanceType": "t3.medium"}
