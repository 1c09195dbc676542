"""Amazon EKS through boto3, read-only: clusters and managed node groups.

EKS has no batch describe: DescribeCluster and DescribeNodegroup take one name
each. So the listings page with botocore's paginators (100 names a page, EKS's
default and maximum), and :meth:`AwsEks.describe_clusters` /
:meth:`AwsEks.describe_nodegroups` describe each name on a bounded thread pool
(``kit.FAN_OUT_WORKERS`` at once) rather than one after another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from computetui.backends.aws.kit import Caller, fan_out, parse
from computetui.backends.base import EksFacet
from computetui.backends.errors import NotFound
from computetui.models import eks as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

T = TypeVar("T")


def _unless_gone(describe: Callable[[str], T]) -> Callable[[str], T | None]:
    """``describe``, but None for a resource deleted between the listing and the describe."""

    def attempt(name: str) -> T | None:
        try:
            return describe(name)
        except NotFound:
            return None

    return attempt


class AwsEks(EksFacet):
    backend: AwsBackend

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.api = Caller(backend, "eks", invalid_code="InvalidParameterException")

    def list_clusters(self) -> list[str]:
        return self.api.pages("list_clusters", "clusters")

    def describe_cluster(self, name: str) -> m.EksCluster:
        return parse(m.EksCluster, self.api.call("describe_cluster", name=name)["cluster"])

    def list_nodegroups(self, cluster_name: str) -> list[str]:
        return self.api.pages("list_nodegroups", "nodegroups", clusterName=cluster_name)

    def describe_nodegroup(self, cluster_name: str, nodegroup_name: str) -> m.Nodegroup:
        answer = self.api.call("describe_nodegroup", clusterName=cluster_name, nodegroupName=nodegroup_name)
        return parse(m.Nodegroup, answer["nodegroup"])

    # -- beyond the contract: every cluster or node group, described at once --
    def describe_clusters(self, names: list[str] | None = None) -> list[m.EksCluster]:
        """Every cluster (or those named), in listing order: one DescribeCluster per cluster —
        the API has no batch describe — on a bounded thread pool. A cluster deleted since the
        listing is left out."""
        wanted = self.list_clusters() if names is None else names
        return [c for c in fan_out(_unless_gone(self.describe_cluster), wanted) if c is not None]

    def describe_nodegroups(self, cluster_name: str, names: list[str] | None = None) -> list[m.Nodegroup]:
        """Every node group of a cluster (or those named), described like describe_clusters."""
        wanted = self.list_nodegroups(cluster_name) if names is None else names
        describe = _unless_gone(lambda name: self.describe_nodegroup(cluster_name, name))
        return [n for n in fan_out(describe, wanted) if n is not None]
