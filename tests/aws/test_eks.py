"""The aws backend's EKS adapter (read-only) against moto's server: clusters and node groups are
listed page by page and described one per call (EKS has no batch describe) on a bounded pool."""

from __future__ import annotations

import threading
import time

import pytest

from computetui.backends import open_backend
from computetui.backends.aws import kit
from computetui.backends.aws.eks import AwsEks
from computetui.backends.errors import NotFound, Unavailable
from computetui.models import eks as m
from tests.support.aws import CallCounter
from tests.support.aws_stubs import closed_port, stubbed

ROLE = "arn:aws:iam::123456789012:role/eks"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-nodes"


def make_clusters(backend, count: int) -> list[str]:  # noqa: ANN001
    client = backend.client("eks")
    names = [f"cluster-{i:02d}" for i in range(count)]
    for name in names:
        client.create_cluster(
            name=name,
            roleArn=ROLE,
            version="1.29",
            resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]},
            tags={"team": "platform"},
        )
    return names


def test_the_adapter_is_the_eks_facet_and_changes_nothing(aws_backend) -> None:  # noqa: ANN001
    assert isinstance(aws_backend.eks, AwsEks)
    assert AwsEks.mutating_operations() == []  # read-only: nothing for read-only mode to refuse


def test_12_clusters_are_one_listing_and_12_describes(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    names = make_clusters(aws_backend, 12)
    calls.clear()
    assert sorted(aws_backend.eks.list_clusters()) == names
    assert calls.of("eks", "ListClusters") == 1
    calls.clear()

    clusters = aws_backend.eks.describe_clusters()
    assert sorted(c.name for c in clusters) == names
    assert (calls.of("eks", "ListClusters"), calls.of("eks", "DescribeCluster")) == (1, 12)
    assert calls.total() == 13
    first = next(c for c in clusters if c.name == "cluster-00")
    assert first.status is m.ClusterStatus.ACTIVE and first.version == "1.29"
    assert first.arn.endswith(":cluster/cluster-00") and first.role_arn == ROLE
    assert first.tags == {"team": "platform"} and first.created_at is not None


def test_describe_clusters_keeps_the_order_asked_and_leaves_out_a_deleted_one(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    make_clusters(aws_backend, 3)
    calls.clear()
    described = aws_backend.eks.describe_clusters(["cluster-02", "deleted-meanwhile", "cluster-00"])
    assert [c.name for c in described] == ["cluster-02", "cluster-00"]
    assert calls.of("eks", "DescribeCluster") == 3 and calls.of("eks", "ListClusters") == 0


def test_a_missing_cluster_is_not_found(aws_backend) -> None:  # noqa: ANN001
    with pytest.raises(NotFound) as caught:
        aws_backend.eks.describe_cluster("nope")
    assert caught.value.code == "ResourceNotFoundException"


def test_node_groups(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    make_clusters(aws_backend, 1)
    client = aws_backend.client("eks")
    for i in range(3):
        client.create_nodegroup(
            clusterName="cluster-00",
            nodegroupName=f"ng-{i}",
            nodeRole=NODE_ROLE,
            subnets=["subnet-1"],
            scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2},
            instanceTypes=["t3.medium"],
            capacityType="SPOT" if i == 2 else "ON_DEMAND",
        )
    calls.clear()
    assert sorted(aws_backend.eks.list_nodegroups("cluster-00")) == ["ng-0", "ng-1", "ng-2"]
    calls.clear()
    groups = {g.nodegroup_name: g for g in aws_backend.eks.describe_nodegroups("cluster-00")}
    assert sorted(groups) == ["ng-0", "ng-1", "ng-2"]
    assert (calls.of("eks", "ListNodegroups"), calls.of("eks", "DescribeNodegroup")) == (1, 3)
    group = groups["ng-2"]
    assert (group.cluster_name, group.capacity_type, group.instance_types) == ("cluster-00", "SPOT", ["t3.medium"])
    assert group.scaling_config == m.ScalingConfig(min_size=1, max_size=4, desired_size=2)
    assert aws_backend.eks.describe_nodegroup("cluster-00", "ng-0").nodegroup_name == "ng-0"
    with pytest.raises(NotFound):
        aws_backend.eks.describe_nodegroup("cluster-00", "nope")


def test_list_clusters_reads_every_page(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    first = [f"c-{i:03d}" for i in range(100)]
    with stubbed(aws_backend, "eks") as stub:
        stub.add_response("list_clusters", {"clusters": first, "nextToken": "more"}, {})
        stub.add_response("list_clusters", {"clusters": ["c-100", "c-101"]}, {"nextToken": "more"})
        assert aws_backend.eks.list_clusters() == [*first, "c-100", "c-101"]
    assert calls.of("eks", "ListClusters") == 2 and calls.sent == []


def test_the_fan_out_is_concurrent_and_bounded() -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def describe(name: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return name.upper()

    names = [f"c{i}" for i in range(30)]
    assert kit.fan_out(describe, names) == [n.upper() for n in names]
    assert 1 < most <= kit.FAN_OUT_WORKERS


def test_the_fan_out_carries_the_callers_context_and_stops_at_a_failure() -> None:
    import contextvars

    who = contextvars.ContextVar("who", default="nobody")
    who.set("page")
    started: list[int] = []
    lock = threading.Lock()

    def call(i: int) -> str:
        with lock:
            started.append(i)
        time.sleep(0.01)
        if i == 3:
            raise ValueError("no")
        return who.get()

    assert kit.fan_out(call, range(3)) == ["page"] * 3
    started.clear()
    with pytest.raises(ValueError):
        kit.fan_out(call, range(200))
    assert len(started) < 200  # the calls not yet started when one failed are not made


def test_an_unreachable_endpoint_is_unavailable(aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend(
        "aws", region="us-east-1", endpoint_url=f"http://127.0.0.1:{closed_port()}", max_attempts=1, connect_timeout=1
    )
    try:
        with pytest.raises(Unavailable):
            backend.eks.describe_clusters()
    finally:
        backend.close()
