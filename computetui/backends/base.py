"""The backend contract: what the console asks of a backend.

A backend is a :class:`Backend` with one facet per service: ``ecs``, ``ecr``,
``lambda_``, ``apigateway``, ``batch``, ``lightsail``, ``logs``, ``metrics``,
``autoscaling`` (Application Auto Scaling) and ``eks``. A facet a backend does
not offer is ``None``; an operation a facet does not offer (yet) raises
:class:`~computetui.backends.errors.Unsupported`.

Rules every backend keeps:

* Operation names are boto3's in snake_case with boto3's meaning; keyword
  arguments are boto3's parameter names in snake_case. Where AWS takes a
  structure, the method takes the model or its AWS JSON.
* Calls are synchronous and thread-safe: the UI makes them from thread workers.
* Only :mod:`computetui.backends.errors` exceptions escape.
* Operations marked ``@mutating`` raise ``ReadOnly`` in read-only mode before
  anything is sent or written. The guard is installed here, once, for every
  facet subclass, so no backend can forget it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from computetui.backends.errors import ReadOnly, Unsupported

if TYPE_CHECKING:  # models only annotate here; keeping them lazy keeps start-up fast
    from datetime import datetime

    from computetui.models.apigateway import (
        ApiDeployment,
        ApiKey,
        ApiTestResult,
        Authorizer,
        HttpApi,
        HttpStage,
        Integration,
        RestApi,
        RestAuthorizer,
        RestDeployment,
        RestIntegration,
        RestMethod,
        RestResource,
        RestStage,
        Route,
        UsagePlan,
    )
    from computetui.models.autoscaling import (
        PutScalingPolicyResult,
        ScalableTarget,
        ScalingActivity,
        ScalingPolicy,
    )
    from computetui.models.batch import (
        ComputeEnvironmentDetail,
        JobDefinition,
        JobDetail,
        JobQueueDetail,
        JobSummary,
        SchedulingPolicyDetail,
    )
    from computetui.models.common import BackendInfo
    from computetui.models.ecr import ImageDetail, LifecyclePolicy, LocalImage, Repository
    from computetui.models.ecs import (
        Cluster,
        ContainerInstance,
        RunTaskResult,
        Service,
        ServiceLoadBalancer,
        Task,
        TaskDefinition,
        TaskSummary,
    )
    from computetui.models.eks import EksCluster, Nodegroup
    from computetui.models.lambda_ import (
        FunctionConfiguration,
        FunctionDetail,
        InvokeResult,
        TestEvent,
    )
    from computetui.models.lightsail import (
        Blueprint,
        Bundle,
        ContainerService,
        ContainerServiceDeployment,
        ContainerServiceLogEvent,
        ContainerServicePower,
        Instance,
        InstancePortState,
        InstanceSnapshot,
        InstanceState,
        MetricDatapoint,
        Operation,
        PortInfo,
        StaticIp,
    )
    from computetui.models.logs import FilteredLogEvent, LogGroup, LogStream, OutputLogEvent
    from computetui.models.metrics import MetricDataResult
    from computetui.pricing import LambdaMonthlyCost

F = TypeVar("F", bound=Callable[..., Any])

_MUTATING = "__computetui_mutating__"
_GUARDED = "__computetui_guarded__"


def mutating(fn: F) -> F:
    """Mark a facet operation as one that changes resources (or runs code)."""
    setattr(fn, _MUTATING, True)
    return fn


def _guard(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def guarded(self: Facet, *args: Any, **kwargs: Any) -> Any:
        if self.backend.read_only:
            raise ReadOnly(f"{self.service}.{name}")
        return fn(self, *args, **kwargs)

    setattr(guarded, _MUTATING, True)
    setattr(guarded, _GUARDED, True)
    return guarded


class Facet:
    """One service of a backend. Subclasses implement the operations they offer."""

    service: ClassVar[str] = ""
    """The service's name in messages; also the facet's attribute name on the backend
    (``ecs``, ``lambda_`` ...) unless :attr:`attribute` says otherwise."""

    attribute: ClassVar[str] = ""
    """The facet's attribute name on the backend when it differs from :attr:`service`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Resolve each name through the MRO, so an operation a mixin supplies is guarded too.
        for name in cls.mutating_operations():
            fn = getattr(cls, name, None)
            if fn is not None and callable(fn) and not getattr(fn, _GUARDED, False):
                setattr(cls, name, _guard(name, fn))

    @classmethod
    def mutating_operations(cls) -> list[str]:
        """Every operation of this facet that changes resources, by name."""
        names: set[str] = set()
        for klass in cls.__mro__:
            for name, value in vars(klass).items():
                if getattr(value, _MUTATING, False):
                    names.add(name)
        return sorted(names)

    def _unsupported(self, operation: str) -> Any:
        raise Unsupported(
            f"{operation} is not offered by the {self.backend.name} backend yet",
        )


class EcsFacet(Facet):
    """Amazon ECS: clusters, task definitions, tasks, services, container instances."""

    service = "ecs"

    makes_load_balancers: ClassVar[bool] = False
    """A service created with a load balancer gets one made for it (the emulator's); otherwise it
    joins an existing target group, named by its ARN, as on AWS."""

    # Clusters
    @mutating
    def create_cluster(self, cluster_name: str, tags: list[dict[str, str]] | None = None) -> Cluster:
        return self._unsupported("CreateCluster")

    @mutating
    def delete_cluster(self, cluster: str) -> Cluster:
        return self._unsupported("DeleteCluster")

    def list_clusters(self) -> list[str]:
        """Every cluster ARN."""
        return self._unsupported("ListClusters")

    def describe_clusters(self, clusters: list[str] | None = None) -> list[Cluster]:
        """Clusters by name or ARN, with their counts; every cluster when None."""
        return self._unsupported("DescribeClusters")

    # Task definitions
    @mutating
    def register_task_definition(
        self, task_definition: TaskDefinition | dict[str, Any] | None = None, **kwargs: Any
    ) -> TaskDefinition:
        """Register a revision; takes AWS's JSON, the model, or snake_case keywords."""
        return self._unsupported("RegisterTaskDefinition")

    @mutating
    def deregister_task_definition(self, task_definition: str) -> TaskDefinition:
        return self._unsupported("DeregisterTaskDefinition")

    def describe_task_definition(self, task_definition: str) -> TaskDefinition:
        """By ``family``, ``family:revision`` or ARN."""
        return self._unsupported("DescribeTaskDefinition")

    def list_task_definition_families(self, family_prefix: str | None = None, status: str = "ACTIVE") -> list[str]:
        return self._unsupported("ListTaskDefinitionFamilies")

    def list_task_definitions(
        self, family_prefix: str | None = None, status: str = "ACTIVE", sort: str = "ASC"
    ) -> list[str]:
        return self._unsupported("ListTaskDefinitions")

    # Services
    @mutating
    def create_service(self, cluster: str, service_name: str, task_definition: str, **kwargs: Any) -> Service:
        return self._unsupported("CreateService")

    @mutating
    def update_service(self, cluster: str, service: str, **kwargs: Any) -> Service:
        return self._unsupported("UpdateService")

    @mutating
    def delete_service(self, cluster: str, service: str, force: bool = False) -> Service:
        return self._unsupported("DeleteService")

    def describe_service_load_balancers(self, cluster: str, service: str) -> list[ServiceLoadBalancer]:
        """The service's load balancers: address, health check and each target's health (elbv2)."""
        return self._unsupported("describe_service_load_balancers")

    def list_services(self, cluster: str) -> list[str]:
        return self._unsupported("ListServices")

    def describe_services(self, cluster: str, services: list[str]) -> list[Service]:
        return self._unsupported("DescribeServices")

    # Tasks
    @mutating
    def run_task(self, cluster: str, task_definition: str, count: int = 1, **kwargs: Any) -> RunTaskResult:
        return self._unsupported("RunTask")

    @mutating
    def start_task(
        self, cluster: str, task_definition: str, container_instances: list[str], **kwargs: Any
    ) -> RunTaskResult:
        return self._unsupported("StartTask")

    @mutating
    def stop_task(self, cluster: str, task: str, reason: str | None = None) -> Task:
        return self._unsupported("StopTask")

    def list_tasks(
        self,
        cluster: str,
        service_name: str | None = None,
        desired_status: str = "RUNNING",
        **kwargs: Any,
    ) -> list[str]:
        return self._unsupported("ListTasks")

    def describe_tasks(self, cluster: str, tasks: list[str]) -> list[Task]:
        return self._unsupported("DescribeTasks")

    def list_task_summaries(
        self, cluster: str, desired_status: str = "RUNNING", service_name: str | None = None
    ) -> list[TaskSummary]:
        """What a table of tasks shows, for every task ``list_tasks`` would list: cheaper than
        ``describe_tasks`` on a page of thousands. This default describes them (batched)."""
        from computetui.models.ecs import TaskSummary

        arns = self.list_tasks(cluster, service_name=service_name, desired_status=desired_status)
        return [TaskSummary.of(t) for t in self.describe_tasks(cluster, arns)] if arns else []

    @mutating
    def execute_command_argv(self, cluster: str, task: str, container: str, command: str = "/bin/sh") -> list[str]:
        """The command line that opens an interactive ``command`` in a running container
        (ECS Exec): the console suspends itself and runs it in the terminal."""
        return self._unsupported("ExecuteCommand")

    # Container instances (EC2 launch type)
    @mutating
    def register_container_instance(self, cluster: str, **kwargs: Any) -> ContainerInstance:
        return self._unsupported("RegisterContainerInstance")

    @mutating
    def deregister_container_instance(
        self, cluster: str, container_instance: str, force: bool = False
    ) -> ContainerInstance:
        return self._unsupported("DeregisterContainerInstance")

    @mutating
    def update_container_instances_state(
        self, cluster: str, container_instances: list[str], status: str
    ) -> list[ContainerInstance]:
        return self._unsupported("UpdateContainerInstancesState")

    def list_container_instances(self, cluster: str, status: str | None = None) -> list[str]:
        return self._unsupported("ListContainerInstances")

    def describe_container_instances(self, cluster: str, container_instances: list[str]) -> list[ContainerInstance]:
        return self._unsupported("DescribeContainerInstances")


class EcrFacet(Facet):
    """Amazon ECR: private repositories and their images."""

    service = "ecr"

    docker_push: ClassVar[bool] = True
    """A plain ``docker push`` to a repository's URI puts an image in it. Not in the emulator,
    whose registry is the engine itself: there ``put_image`` names the image and records it."""

    @mutating
    def create_repository(self, repository_name: str, **kwargs: Any) -> Repository:
        return self._unsupported("CreateRepository")

    @mutating
    def delete_repository(self, repository_name: str, force: bool = False) -> Repository:
        return self._unsupported("DeleteRepository")

    def describe_repositories(self, repository_names: list[str] | None = None) -> list[Repository]:
        return self._unsupported("DescribeRepositories")

    def describe_images(self, repository_name: str, image_ids: list[dict[str, str]] | None = None) -> list[ImageDetail]:
        """Newest push first. ``image_ids`` (``imageDigest`` and/or ``imageTag``) narrows the list;
        one that matches nothing raises ``ImageNotFoundException``."""
        return self._unsupported("DescribeImages")

    @mutating
    def put_image(self, repository_name: str, source_image: str, image_tag: str) -> ImageDetail:
        """Store ``source_image`` (a local engine image, or an image manifest) under a tag."""
        return self._unsupported("PutImage")

    @mutating
    def batch_delete_image(
        self, repository_name: str, image_ids: list[dict[str, str]]
    ) -> dict[str, list[dict[str, Any]]]:
        """AWS's answer: ``{"imageIds": [deleted ids], "failures": [{"imageId", "failureCode", "failureReason"}]}``."""
        return self._unsupported("BatchDeleteImage")

    def list_local_images(self) -> list[LocalImage]:
        """The images a push can send: the local Docker engine's named images (``docker images``), newest first.

        Not an ECR operation: it reads the pusher's side, as ``docker images`` does before a ``docker push``.
        """
        return self._unsupported("list_local_images")

    @mutating
    def put_lifecycle_policy(self, repository_name: str, lifecycle_policy_text: str) -> LifecyclePolicy:
        return self._unsupported("PutLifecyclePolicy")

    def get_lifecycle_policy(self, repository_name: str) -> LifecyclePolicy:
        return self._unsupported("GetLifecyclePolicy")

    @mutating
    def delete_lifecycle_policy(self, repository_name: str) -> LifecyclePolicy:
        return self._unsupported("DeleteLifecyclePolicy")


class LambdaFacet(Facet):
    """AWS Lambda: functions, their code and configuration, and invocations."""

    service = "lambda_"

    @mutating
    def create_function(self, function_name: str, **kwargs: Any) -> FunctionConfiguration:
        """``code={"ZipFile": bytes}`` (or ``{"ImageUri": ...}``), plus boto3's other parameters."""
        return self._unsupported("CreateFunction")

    def get_function(self, function_name: str, qualifier: str | None = None) -> FunctionDetail:
        return self._unsupported("GetFunction")

    def get_function_configuration(self, function_name: str, qualifier: str | None = None) -> FunctionConfiguration:
        return self._unsupported("GetFunctionConfiguration")

    def download_function_code(self, function_name: str, qualifier: str | None = None) -> bytes:
        """The deployment package (a zip) of ``$LATEST`` or a version, for the code editor."""
        return self._unsupported("GetFunction (code download)")

    def list_versions_by_function(self, function_name: str) -> list[FunctionConfiguration]:
        return self._unsupported("ListVersionsByFunction")

    def get_function_concurrency(self, function_name: str) -> int | None:
        """The reserved concurrency, or None when the function has none."""
        return self._unsupported("GetFunctionConcurrency")

    def list_functions(self) -> list[FunctionConfiguration]:
        return self._unsupported("ListFunctions")

    @mutating
    def update_function_code(self, function_name: str, **kwargs: Any) -> FunctionConfiguration:
        return self._unsupported("UpdateFunctionCode")

    @mutating
    def update_function_configuration(self, function_name: str, **kwargs: Any) -> FunctionConfiguration:
        return self._unsupported("UpdateFunctionConfiguration")

    @mutating
    def delete_function(self, function_name: str, qualifier: str | None = None) -> None:
        return self._unsupported("DeleteFunction")

    @mutating
    def publish_version(
        self, function_name: str, description: str = "", revision_id: str | None = None
    ) -> FunctionConfiguration:
        """``revision_id`` (as ``update_function_code`` and ``update_function_configuration`` take it):
        only if the function's RevisionId is still that one, else ``PreconditionFailedException``."""
        return self._unsupported("PublishVersion")

    @mutating
    def put_function_concurrency(self, function_name: str, reserved_concurrent_executions: int) -> int:
        return self._unsupported("PutFunctionConcurrency")

    @mutating
    def delete_function_concurrency(self, function_name: str) -> None:
        return self._unsupported("DeleteFunctionConcurrency")

    def list_test_events(self, function_name: str) -> list[TestEvent]:
        """The function's saved test events (at most 10), oldest first."""
        return self._unsupported("ListTestEvents")

    @mutating
    def save_test_event(self, function_name: str, name: str, event: str) -> TestEvent:
        """Save (or replace) a test event; the event must be JSON."""
        return self._unsupported("SaveTestEvent")

    @mutating
    def delete_test_event(self, function_name: str, name: str) -> None:
        return self._unsupported("DeleteTestEvent")

    def usage_this_month(self) -> LambdaMonthlyCost | None:
        """Requests and GB-seconds so far this month, priced; None when the backend cannot tell."""
        return None

    @mutating
    def invoke(
        self,
        function_name: str,
        payload: bytes | str = b"",
        invocation_type: str = "RequestResponse",
        log_type: str = "None",
        qualifier: str | None = None,
        client_context: str | None = None,
    ) -> InvokeResult:
        """Run the function. Counted as mutating: a function's code can change anything."""
        return self._unsupported("Invoke")


class ApiGatewayFacet(Facet):
    """Amazon API Gateway. REST APIs (v1) by v1's operation names; HTTP and
    WebSocket APIs (v2) by v2's, except ``get_api_stages`` (v2's ``GetStages``),
    renamed so it cannot be mistaken for v1's."""

    service = "apigateway"

    def get_rest_apis(self) -> list[RestApi]:
        return self._unsupported("GetRestApis")

    @mutating
    def create_rest_api(self, name: str, **kwargs: Any) -> RestApi:
        return self._unsupported("CreateRestApi")

    @mutating
    def delete_rest_api(self, rest_api_id: str) -> None:
        return self._unsupported("DeleteRestApi")

    def get_resources(self, rest_api_id: str) -> list[RestResource]:
        return self._unsupported("GetResources")

    def get_stages(self, rest_api_id: str) -> list[RestStage]:
        return self._unsupported("GetStages")

    @mutating
    def create_resource(self, rest_api_id: str, parent_id: str, path_part: str) -> RestResource:
        """CreateResource: ``path_part`` a literal, ``{name}`` or ``{name+}`` (greedy, last)."""
        return self._unsupported("CreateResource")

    @mutating
    def delete_resource(self, rest_api_id: str, resource_id: str) -> None:
        return self._unsupported("DeleteResource")

    @mutating
    def put_method(self, rest_api_id: str, resource_id: str, http_method: str, authorization_type: str = "NONE",
                   **kwargs: Any) -> RestMethod:
        """PutMethod: ``api_key_required``, ``authorizer_id``."""
        return self._unsupported("PutMethod")

    @mutating
    def delete_method(self, rest_api_id: str, resource_id: str, http_method: str) -> None:
        """DeleteMethod: the method goes, with its integration and responses."""
        return self._unsupported("DeleteMethod")

    @mutating
    def put_integration(self, rest_api_id: str, resource_id: str, http_method: str, type: str,
                        **kwargs: Any) -> RestIntegration:
        """PutIntegration: ``uri``, ``integration_http_method``, ``request_templates`` (MOCK's
        ``{"application/json": '{"statusCode": 200}'}``), ``timeout_in_millis``."""
        return self._unsupported("PutIntegration")

    @mutating
    def put_method_response(self, rest_api_id: str, resource_id: str, http_method: str, status_code: str,
                            **kwargs: Any) -> dict[str, Any]:
        return self._unsupported("PutMethodResponse")

    @mutating
    def put_integration_response(self, rest_api_id: str, resource_id: str, http_method: str, status_code: str,
                                 **kwargs: Any) -> dict[str, Any]:
        """PutIntegrationResponse: ``selection_pattern``, ``response_templates``,
        ``response_parameters`` (``method.response.header.X`` -> ``'value'``)."""
        return self._unsupported("PutIntegrationResponse")

    @mutating
    def create_rest_deployment(self, rest_api_id: str, stage_name: str | None = None, **kwargs: Any
                               ) -> RestDeployment:
        """v1's CreateDeployment: a snapshot of the resources and methods, put on ``stage_name``
        (made when missing; ``variables`` its stage variables)."""
        return self._unsupported("CreateDeployment")

    def get_rest_deployments(self, rest_api_id: str) -> list[RestDeployment]:
        return self._unsupported("GetDeployments")

    @mutating
    def update_rest_stage(self, rest_api_id: str, stage_name: str, patch_operations: list[dict[str, str]]
                          ) -> RestStage:
        """v1's UpdateStage: JSON Patch operations (``op``, ``path``, ``value``):
        ``replace`` ``/accessLogSettings/destinationArn`` (a log group's ARN) and
        ``/accessLogSettings/format``, ``remove`` ``/accessLogSettings`` (logging off);
        ``replace``/``remove`` ``/variables/<name>``; ``replace`` ``/description``,
        ``/deploymentId``."""
        return self._unsupported("UpdateStage")

    @mutating
    def create_rest_authorizer(self, rest_api_id: str, name: str, type: str, **kwargs: Any) -> RestAuthorizer:
        """v1's CreateAuthorizer: ``TOKEN`` or ``REQUEST`` with ``authorizer_uri`` (the function's
        invocation ARN), ``identity_source``, ``identity_validation_expression`` (TOKEN),
        ``authorizer_result_ttl_in_seconds``. A method uses it with ``authorization_type="CUSTOM"``."""
        return self._unsupported("CreateAuthorizer")

    def get_rest_authorizers(self, rest_api_id: str) -> list[RestAuthorizer]:
        return self._unsupported("GetAuthorizers")

    @mutating
    def delete_rest_authorizer(self, rest_api_id: str, authorizer_id: str) -> None:
        return self._unsupported("DeleteAuthorizer")

    @mutating
    def create_api_key(self, name: str, **kwargs: Any) -> ApiKey:
        """CreateApiKey: ``enabled``, ``value`` (20+ characters; made when not given)."""
        return self._unsupported("CreateApiKey")

    def get_api_keys(self, include_values: bool = False) -> list[ApiKey]:
        return self._unsupported("GetApiKeys")

    @mutating
    def delete_api_key(self, api_key: str) -> None:
        return self._unsupported("DeleteApiKey")

    @mutating
    def create_usage_plan(self, name: str, **kwargs: Any) -> UsagePlan:
        """CreateUsagePlan: ``api_stages`` [{apiId, stage}], ``throttle`` {rateLimit, burstLimit},
        ``quota`` {limit, period DAY/WEEK/MONTH}."""
        return self._unsupported("CreateUsagePlan")

    def get_usage_plans(self) -> list[UsagePlan]:
        return self._unsupported("GetUsagePlans")

    @mutating
    def delete_usage_plan(self, usage_plan_id: str) -> None:
        return self._unsupported("DeleteUsagePlan")

    @mutating
    def create_usage_plan_key(self, usage_plan_id: str, key_id: str, key_type: str = "API_KEY") -> dict[str, Any]:
        """CreateUsagePlanKey: the key may call the plan's stages."""
        return self._unsupported("CreateUsagePlanKey")

    def get_usage_plan_keys(self, usage_plan_id: str) -> list[dict[str, Any]]:
        """GetUsagePlanKeys: the plan's keys, each ``{"id", "type", "name", "value"}`` as AWS answers."""
        return self._unsupported("GetUsagePlanKeys")

    @mutating
    def delete_usage_plan_key(self, usage_plan_id: str, key_id: str) -> None:
        """DeleteUsagePlanKey: the key may no longer call the plan's stages (the key itself stays)."""
        return self._unsupported("DeleteUsagePlanKey")

    def rest_invoke_url(self, rest_api_id: str, stage_name: str) -> str:
        """Where a stage of a REST API answers (beyond AWS's calls, as ``invoke_url`` is)."""
        return self._unsupported("InvokeUrl")

    def get_apis(self) -> list[HttpApi]:
        return self._unsupported("GetApis")

    def get_api_stages(self, api_id: str) -> list[HttpStage]:
        return self._unsupported("GetStages")

    @mutating
    def create_api(self, name: str, protocol_type: str = "HTTP", **kwargs: Any) -> HttpApi:
        return self._unsupported("CreateApi")

    @mutating
    def delete_api(self, api_id: str) -> None:
        return self._unsupported("DeleteApi")

    @mutating
    def update_api(self, api_id: str, **kwargs: Any) -> HttpApi:
        """UpdateApi: ``name``, ``description``, ``cors_configuration`` (AllowOrigins,
        AllowMethods, AllowHeaders, ExposeHeaders, MaxAge, AllowCredentials)."""
        return self._unsupported("UpdateApi")

    def get_routes(self, api_id: str) -> list[Route]:
        """Every route; ``target`` is what the route invokes as the console shows it (the
        integration's URI: a Lambda ARN, an HTTP URL), or AWS's ``integrations/<id>`` when that
        integration is gone."""
        return self._unsupported("GetRoutes")

    @mutating
    def create_route(self, api_id: str, route_key: str, target: str | None = None, **kwargs: Any) -> Route:
        """CreateRoute: ``route_key`` is ``GET /pets/{id}``, ``ANY /{proxy+}`` or ``$default``;
        ``target`` is ``integrations/<integration id>``. Answers AWS's route (its raw target)."""
        return self._unsupported("CreateRoute")

    @mutating
    def update_route(self, api_id: str, route_id: str, **kwargs: Any) -> Route:
        """UpdateRoute: ``route_key``, ``target``, ``authorization_type`` (``NONE``, ``CUSTOM``
        for a REQUEST authorizer, ``JWT``) with ``authorizer_id``, ``authorization_scopes`` (JWT),
        ``api_key_required``, ``operation_name``; what is not given stays. ``NONE`` detaches the
        route's authorizer. Answers AWS's route (its raw target)."""
        return self._unsupported("UpdateRoute")

    @mutating
    def delete_route(self, api_id: str, route_id: str) -> None:
        return self._unsupported("DeleteRoute")

    def get_integrations(self, api_id: str) -> list[Integration]:
        return self._unsupported("GetIntegrations")

    @mutating
    def create_integration(self, api_id: str, integration_type: str, **kwargs: Any) -> Integration:
        """CreateIntegration: ``AWS_PROXY`` (``integration_uri`` a Lambda function ARN,
        ``payload_format_version`` ``2.0`` or ``1.0``) or ``HTTP_PROXY`` (``integration_uri`` a
        URL, ``integration_method``); ``timeout_in_millis`` 50-30000."""
        return self._unsupported("CreateIntegration")

    @mutating
    def delete_integration(self, api_id: str, integration_id: str) -> None:
        return self._unsupported("DeleteIntegration")

    @mutating
    def create_stage(self, api_id: str, stage_name: str, **kwargs: Any) -> HttpStage:
        """CreateStage (v2): ``auto_deploy``, ``stage_variables``, ``deployment_id``,
        ``default_route_settings``, ``access_log_settings``."""
        return self._unsupported("CreateStage")

    @mutating
    def update_stage(self, api_id: str, stage_name: str, **kwargs: Any) -> HttpStage:
        """UpdateStage (v2): ``auto_deploy``, ``deployment_id``, ``stage_variables``,
        ``default_route_settings``, ``route_settings`` (route key -> its settings: the keys
        given replace theirs, the others stay), ``access_log_settings`` (DestinationArn, Format)."""
        return self._unsupported("UpdateStage")

    @mutating
    def delete_stage(self, api_id: str, stage_name: str) -> None:
        return self._unsupported("DeleteStage")

    @mutating
    def create_deployment(self, api_id: str, stage_name: str | None = None, description: str | None = None
                          ) -> ApiDeployment:
        """CreateDeployment (v2): a snapshot of the API's routes and integrations, put on
        ``stage_name`` when given."""
        return self._unsupported("CreateDeployment")

    def get_deployments(self, api_id: str) -> list[ApiDeployment]:
        return self._unsupported("GetDeployments")

    def get_authorizers(self, api_id: str) -> list[Authorizer]:
        return self._unsupported("GetAuthorizers")

    @mutating
    def create_authorizer(self, api_id: str, name: str, authorizer_type: str, identity_source: list[str],
                          **kwargs: Any) -> Authorizer:
        """CreateAuthorizer (v2): ``REQUEST`` with ``authorizer_uri`` (the function's invocation
        ARN or its ARN), ``authorizer_payload_format_version`` ``1.0``/``2.0``,
        ``enable_simple_responses``, ``authorizer_result_ttl_in_seconds``; or ``JWT`` with
        ``jwt_configuration``. A route uses one with ``authorization_type="CUSTOM"`` (``JWT``)
        and ``authorizer_id``."""
        return self._unsupported("CreateAuthorizer")

    @mutating
    def delete_authorizer(self, api_id: str, authorizer_id: str) -> None:
        return self._unsupported("DeleteAuthorizer")

    def invoke_url(self, api_id: str, stage_name: str) -> str:
        """Where a stage of an HTTP API answers (``$default``: no stage segment). Beyond the
        contract's AWS calls: on AWS the execute-api address, on the local backend the
        emulator's gateway on 127.0.0.1."""
        return self._unsupported("InvokeUrl")

    @mutating
    def test_invoke(self, api_id: str, method: str, path: str, *, stage_name: str | None = None,
                    resource_id: str | None = None, query: str = "", headers: dict[str, str] | None = None,
                    body: str = "") -> ApiTestResult:
        """Send one request through an API, as the console's Test panel does (runs code: a
        mutating call). A REST API's is TestInvokeMethod on ``resource_id`` and ``method`` as they
        are now, deployed or not, with ``path`` the resource's path with its parameters filled in
        (``stage_name``, if given, only says which stage's URL answers the same from a shell); an
        HTTP API's is the request to ``stage_name``'s invoke URL (``$default`` unless said).
        ``query`` is the query string without its ``?``. ``NotFoundException``: no such API,
        resource or method."""
        return self._unsupported("TestInvokeMethod")


class BatchFacet(Facet):
    """AWS Batch: compute environments, job queues, job definitions, jobs."""

    service = "batch"

    @mutating
    def create_compute_environment(self, compute_environment_name: str, **kwargs: Any) -> ComputeEnvironmentDetail:
        return self._unsupported("CreateComputeEnvironment")

    @mutating
    def update_compute_environment(self, compute_environment: str, **kwargs: Any) -> ComputeEnvironmentDetail:
        return self._unsupported("UpdateComputeEnvironment")

    @mutating
    def delete_compute_environment(self, compute_environment: str) -> None:
        return self._unsupported("DeleteComputeEnvironment")

    def describe_compute_environments(
        self, compute_environments: list[str] | None = None
    ) -> list[ComputeEnvironmentDetail]:
        return self._unsupported("DescribeComputeEnvironments")

    @mutating
    def create_job_queue(
        self, job_queue_name: str, priority: int, compute_environment_order: list[dict[str, Any]], **kwargs: Any
    ) -> JobQueueDetail:
        return self._unsupported("CreateJobQueue")

    @mutating
    def update_job_queue(self, job_queue: str, **kwargs: Any) -> JobQueueDetail:
        return self._unsupported("UpdateJobQueue")

    @mutating
    def delete_job_queue(self, job_queue: str) -> None:
        return self._unsupported("DeleteJobQueue")

    def describe_job_queues(self, job_queues: list[str] | None = None) -> list[JobQueueDetail]:
        return self._unsupported("DescribeJobQueues")

    @mutating
    def register_job_definition(
        self, job_definition_name: str, type: str = "container", **kwargs: Any
    ) -> JobDefinition:
        return self._unsupported("RegisterJobDefinition")

    @mutating
    def deregister_job_definition(self, job_definition: str) -> None:
        return self._unsupported("DeregisterJobDefinition")

    def describe_job_definitions(
        self, job_definition_name: str | None = None, status: str | None = None
    ) -> list[JobDefinition]:
        return self._unsupported("DescribeJobDefinitions")

    @mutating
    def submit_job(self, job_name: str, job_queue: str, job_definition: str, **kwargs: Any) -> JobDetail:
        """SubmitJob. ``kwargs`` are boto3's in snake_case with AWS's JSON inside:
        ``array_properties={"size": 10}``, ``depends_on=[{"jobId": ..., "type": "N_TO_N"}]``,
        ``parameters``, ``container_overrides={"command": [...], "environment": [...],
        "resourceRequirements": [...]}``, ``retry_strategy``, ``timeout``, ``share_identifier``,
        ``scheduling_priority_override``, ``tags``. Returns the job as DescribeJobs has it."""
        return self._unsupported("SubmitJob")

    def list_jobs(
        self,
        job_queue: str | None = None,
        job_status: str | None = None,
        array_job_id: str | None = None,
        filters: list[dict[str, Any]] | None = None,
    ) -> list[JobSummary]:
        """ListJobs, every page: a queue's jobs (or an array job's children) in one status,
        RUNNING when none is given; with ``filters`` (``[{"name": "JOB_NAME", "values":
        ["x*"]}]``) every status, as AWS answers."""
        return self._unsupported("ListJobs")

    def describe_jobs(self, jobs: list[str]) -> list[JobDetail]:
        return self._unsupported("DescribeJobs")

    @mutating
    def terminate_job(self, job_id: str, reason: str) -> None:
        return self._unsupported("TerminateJob")

    @mutating
    def create_scheduling_policy(self, name: str, **kwargs: Any) -> SchedulingPolicyDetail:
        """CreateSchedulingPolicy: ``fairshare_policy={"shareDistribution": [{"shareIdentifier":
        "a", "weightFactor": 0.5}], "shareDecaySeconds": 0, "computeReservation": 0}``."""
        return self._unsupported("CreateSchedulingPolicy")

    @mutating
    def update_scheduling_policy(self, arn: str, **kwargs: Any) -> SchedulingPolicyDetail:
        return self._unsupported("UpdateSchedulingPolicy")

    @mutating
    def delete_scheduling_policy(self, arn: str) -> None:
        return self._unsupported("DeleteSchedulingPolicy")

    def describe_scheduling_policies(self, arns: list[str] | None = None) -> list[SchedulingPolicyDetail]:
        """The policies named (every one when ``arns`` is None: ListSchedulingPolicies first)."""
        return self._unsupported("DescribeSchedulingPolicies")

    @mutating
    def cancel_job(self, job_id: str, reason: str) -> None:
        return self._unsupported("CancelJob")


class LightsailFacet(Facet):
    """Amazon Lightsail: instances, bundles, blueprints, ports, static IPs, snapshots, metrics and
    container services. A change answers with AWS's ``operations``, one per resource it touches."""

    service = "lightsail"

    # -- instances -----------------------------------------------------------
    def get_instances(self) -> list[Instance]:
        return self._unsupported("GetInstances")

    def get_instance(self, instance_name: str) -> Instance:
        return self._unsupported("GetInstance")

    def get_instance_state(self, instance_name: str) -> InstanceState:
        return self._unsupported("GetInstanceState")

    @mutating
    def create_instances(
        self, instance_names: list[str], availability_zone: str, blueprint_id: str, bundle_id: str, **kwargs: Any
    ) -> list[Operation]:
        """CreateInstances (``user_data``, ``key_pair_name``, ``tags``): one operation per instance."""
        return self._unsupported("CreateInstances")

    @mutating
    def delete_instance(self, instance_name: str) -> list[Operation]:
        return self._unsupported("DeleteInstance")

    @mutating
    def start_instance(self, instance_name: str) -> list[Operation]:
        return self._unsupported("StartInstance")

    @mutating
    def stop_instance(self, instance_name: str) -> list[Operation]:
        return self._unsupported("StopInstance")

    @mutating
    def reboot_instance(self, instance_name: str) -> list[Operation]:
        return self._unsupported("RebootInstance")

    def get_operations_for_resource(self, resource_name: str) -> list[Operation]:
        """GetOperationsForResource: what was done to the instance (or static IP, snapshot), newest
        first: the instance page's history."""
        return self._unsupported("GetOperationsForResource")

    def launch_output(self, instance_name: str) -> str:
        """What the instance's launch script printed (``/var/log/cloud-init-output.log``); empty
        until it has run. AWS has no call for it (one reads it over SSH)."""
        return self._unsupported("LaunchScriptOutput")

    def shell_argv(self, instance_name: str) -> list[str]:
        """The command line that opens a shell in the running instance (the Lightsail console's
        browser SSH): the console suspends itself and runs it in the terminal."""
        return self._unsupported("ShellInInstance")

    # -- the catalogue -----------------------------------------------------------
    def get_bundles(self) -> list[Bundle]:
        return self._unsupported("GetBundles")

    def get_blueprints(self) -> list[Blueprint]:
        return self._unsupported("GetBlueprints")

    # -- public ports ------------------------------------------------------------------
    def get_instance_port_states(self, instance_name: str) -> list[InstancePortState]:
        return self._unsupported("GetInstancePortStates")

    @mutating
    def open_instance_public_ports(self, instance_name: str, port_info: PortInfo | dict[str, Any]) -> Operation:
        return self._unsupported("OpenInstancePublicPorts")

    @mutating
    def close_instance_public_ports(self, instance_name: str, port_info: PortInfo | dict[str, Any]) -> Operation:
        return self._unsupported("CloseInstancePublicPorts")

    @mutating
    def put_instance_public_ports(
        self, instance_name: str, port_infos: list[PortInfo] | list[dict[str, Any]]
    ) -> Operation:
        """PutInstancePublicPorts: exactly these ports open, every other one closed."""
        return self._unsupported("PutInstancePublicPorts")

    def local_port(self, instance_name: str, port: int) -> int | None:
        """Where an open port of the instance is reached from this machine (the emulator publishes
        it on 127.0.0.1); None on AWS, where the instance's public IP is the address."""
        return None

    # -- static IPs ----------------------------------------------------------------------
    def get_static_ips(self) -> list[StaticIp]:
        return self._unsupported("GetStaticIps")

    def get_static_ip(self, static_ip_name: str) -> StaticIp:
        return self._unsupported("GetStaticIp")

    @mutating
    def allocate_static_ip(self, static_ip_name: str) -> list[Operation]:
        return self._unsupported("AllocateStaticIp")

    @mutating
    def attach_static_ip(self, static_ip_name: str, instance_name: str) -> list[Operation]:
        return self._unsupported("AttachStaticIp")

    @mutating
    def detach_static_ip(self, static_ip_name: str) -> list[Operation]:
        return self._unsupported("DetachStaticIp")

    @mutating
    def release_static_ip(self, static_ip_name: str) -> list[Operation]:
        return self._unsupported("ReleaseStaticIp")

    # -- snapshots ---------------------------------------------------------------------
    @mutating
    def create_instance_snapshot(self, instance_snapshot_name: str, instance_name: str, **kwargs: Any
                                 ) -> list[Operation]:
        return self._unsupported("CreateInstanceSnapshot")

    def get_instance_snapshots(self) -> list[InstanceSnapshot]:
        return self._unsupported("GetInstanceSnapshots")

    def get_instance_snapshot(self, instance_snapshot_name: str) -> InstanceSnapshot:
        return self._unsupported("GetInstanceSnapshot")

    @mutating
    def create_instances_from_snapshot(
        self, instance_names: list[str], availability_zone: str, bundle_id: str, instance_snapshot_name: str,
        **kwargs: Any,
    ) -> list[Operation]:
        """CreateInstancesFromSnapshot (``user_data``, ``key_pair_name``, ``tags``): the bundle may
        be the snapshot's or bigger, never smaller."""
        return self._unsupported("CreateInstancesFromSnapshot")

    @mutating
    def delete_instance_snapshot(self, instance_snapshot_name: str) -> list[Operation]:
        return self._unsupported("DeleteInstanceSnapshot")

    # -- metrics --------------------------------------------------------------------------
    def get_instance_metric_data(
        self, instance_name: str, metric_name: str, period: int, start_time: datetime, end_time: datetime,
        unit: str, statistics: list[str],
    ) -> list[MetricDatapoint]:
        """GetInstanceMetricData: ``CPUUtilization`` (Percent), ``NetworkIn``/``NetworkOut`` (Bytes),
        ``StatusCheckFailed`` (Count); ``period`` 60-86400 s; statistics ``Average``, ``Sum``,
        ``Maximum``, ``Minimum``, ``SampleCount``. Oldest first."""
        return self._unsupported("GetInstanceMetricData")

    # -- container services ------------------------------------------------------------------
    def get_container_service_powers(self) -> list[ContainerServicePower]:
        return self._unsupported("GetContainerServicePowers")

    def get_container_services(self, service_name: str | None = None) -> list[ContainerService]:
        """Every container service, or the one named (NotFound when there is none)."""
        return self._unsupported("GetContainerServices")

    @mutating
    def create_container_service(self, service_name: str, power: str, scale: int, **kwargs: Any
                                 ) -> ContainerService:
        """CreateContainerService (``tags``, ``public_domain_names``, ``deployment``)."""
        return self._unsupported("CreateContainerService")

    @mutating
    def update_container_service(self, service_name: str, **kwargs: Any) -> ContainerService:
        """UpdateContainerService: ``power``, ``scale``, ``is_disabled``."""
        return self._unsupported("UpdateContainerService")

    @mutating
    def delete_container_service(self, service_name: str) -> None:
        return self._unsupported("DeleteContainerService")

    @mutating
    def create_container_service_deployment(
        self, service_name: str, containers: dict[str, Any], public_endpoint: dict[str, Any] | None = None
    ) -> ContainerService:
        """CreateContainerServiceDeployment: ``containers`` as AWS's JSON (name -> image, command,
        environment, ports), ``public_endpoint`` {containerName, containerPort, healthCheck}."""
        return self._unsupported("CreateContainerServiceDeployment")

    def get_container_service_deployments(self, service_name: str) -> list[ContainerServiceDeployment]:
        """Newest first, as AWS lists them."""
        return self._unsupported("GetContainerServiceDeployments")

    def get_container_log(
        self, service_name: str, container_name: str, start_time: datetime | None = None,
        end_time: datetime | None = None, filter_pattern: str | None = None,
    ) -> list[ContainerServiceLogEvent]:
        return self._unsupported("GetContainerLog")


class LogsFacet(Facet):
    """CloudWatch Logs: groups, streams and events."""

    service = "logs"

    @mutating
    def create_log_group(self, log_group_name: str) -> LogGroup:
        return self._unsupported("CreateLogGroup")

    @mutating
    def delete_log_group(self, log_group_name: str) -> None:
        return self._unsupported("DeleteLogGroup")

    @mutating
    def create_log_stream(self, log_group_name: str, log_stream_name: str) -> None:
        return self._unsupported("CreateLogStream")

    @mutating
    def put_log_events(self, log_group_name: str, log_stream_name: str, log_events: list[dict[str, Any]]) -> None:
        """Append ``[{"timestamp": epoch ms, "message": str}, ...]``."""
        return self._unsupported("PutLogEvents")

    def describe_log_groups(self, log_group_name_prefix: str | None = None) -> list[LogGroup]:
        return self._unsupported("DescribeLogGroups")

    def describe_log_streams(
        self, log_group_name: str, order_by: str = "LastEventTime", descending: bool = True, limit: int | None = None
    ) -> list[LogStream]:
        return self._unsupported("DescribeLogStreams")

    def get_log_events(
        self,
        log_group_name: str,
        log_stream_name: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        start_from_head: bool = False,
    ) -> list[OutputLogEvent]:
        return self._unsupported("GetLogEvents")

    def filter_log_events(
        self,
        log_group_name: str,
        filter_pattern: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        log_stream_names: list[str] | None = None,
        limit: int | None = None,
    ) -> list[FilteredLogEvent]:
        return self._unsupported("FilterLogEvents")


class MetricsFacet(Facet):
    """CloudWatch metrics, read with ``GetMetricData``."""

    service = "metrics"

    def get_metric_data(
        self, metric_data_queries: list[dict[str, Any]], start_time: Any, end_time: Any
    ) -> list[MetricDataResult]:
        return self._unsupported("GetMetricData")


class AutoScalingFacet(Facet):
    """Application Auto Scaling: scalable targets, target tracking policies, scaling activities.

    A scalable target is named by ``service_namespace``, ``resource_id`` and
    ``scalable_dimension`` (for an ECS service: ``"ecs"``,
    ``"service/<cluster>/<service>"``, ``"ecs:service:DesiredCount"``).
    Errors carry AWS's codes: ``ValidationException`` for bad input,
    ``ObjectNotFoundException`` for an unregistered target or a missing policy.
    """

    service = "application-autoscaling"
    attribute = "autoscaling"

    @mutating
    def register_scalable_target(
        self,
        service_namespace: str,
        resource_id: str,
        scalable_dimension: str,
        min_capacity: int | None = None,
        max_capacity: int | None = None,
        **kwargs: Any,
    ) -> ScalableTarget:
        """Register a target, or change an existing one's bounds. The resource's capacity is
        brought inside the new bounds at once, as a scaling activity."""
        return self._unsupported("RegisterScalableTarget")

    @mutating
    def deregister_scalable_target(self, service_namespace: str, resource_id: str, scalable_dimension: str) -> None:
        """Deregister a target; its scaling policies are deleted with it."""
        return self._unsupported("DeregisterScalableTarget")

    def describe_scalable_targets(
        self, service_namespace: str, resource_ids: list[str] | None = None, scalable_dimension: str | None = None
    ) -> list[ScalableTarget]:
        return self._unsupported("DescribeScalableTargets")

    @mutating
    def put_scaling_policy(
        self,
        policy_name: str,
        service_namespace: str,
        resource_id: str,
        scalable_dimension: str,
        policy_type: str = "TargetTrackingScaling",
        target_tracking_scaling_policy_configuration: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PutScalingPolicyResult:
        """Create or replace a policy; the configuration is AWS's JSON (``TargetValue``,
        ``PredefinedMetricSpecification``, ``ScaleOutCooldown`` ...) or the model."""
        return self._unsupported("PutScalingPolicy")

    @mutating
    def delete_scaling_policy(
        self, policy_name: str, service_namespace: str, resource_id: str, scalable_dimension: str
    ) -> None:
        return self._unsupported("DeleteScalingPolicy")

    def describe_scaling_policies(
        self,
        service_namespace: str,
        policy_names: list[str] | None = None,
        resource_id: str | None = None,
        scalable_dimension: str | None = None,
    ) -> list[ScalingPolicy]:
        return self._unsupported("DescribeScalingPolicies")

    def describe_scaling_activities(
        self, service_namespace: str, resource_id: str | None = None, scalable_dimension: str | None = None
    ) -> list[ScalingActivity]:
        """Newest first, as AWS lists them."""
        return self._unsupported("DescribeScalingActivities")


class EksFacet(Facet):
    """Amazon EKS, read-only: clusters and managed node groups."""

    service = "eks"

    def list_clusters(self) -> list[str]:
        return self._unsupported("ListClusters")

    def describe_cluster(self, name: str) -> EksCluster:
        return self._unsupported("DescribeCluster")

    def describe_clusters(self, names: list[str] | None = None) -> list[EksCluster]:
        """Every cluster (or those named), in listing order. EKS has no batch describe; this
        default asks one by one, and a backend may ask in parallel."""
        wanted = self.list_clusters() if names is None else names
        return [self.describe_cluster(name) for name in wanted]

    def list_nodegroups(self, cluster_name: str) -> list[str]:
        return self._unsupported("ListNodegroups")

    def describe_nodegroup(self, cluster_name: str, nodegroup_name: str) -> Nodegroup:
        return self._unsupported("DescribeNodegroup")

    def describe_nodegroups(self, cluster_name: str, names: list[str] | None = None) -> list[Nodegroup]:
        """Every node group of a cluster (or those named), in listing order. EKS has no batch
        describe; this default asks one by one, and a backend may ask in parallel."""
        wanted = self.list_nodegroups(cluster_name) if names is None else names
        return [self.describe_nodegroup(cluster_name, name) for name in wanted]


FACETS: dict[str, type[Facet]] = {
    cls.attribute or cls.service: cls
    for cls in (
        EcsFacet,
        EcrFacet,
        LambdaFacet,
        ApiGatewayFacet,
        BatchFacet,
        LightsailFacet,
        LogsFacet,
        MetricsFacet,
        AutoScalingFacet,
        EksFacet,
    )
}
"""Every facet interface, by the attribute it has on a backend."""


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do beyond its facets. The UI asks these, never the backend's name."""

    sample_workload: bool = False
    """``seed_demo`` loads a sample workload (the ``D`` key)."""
    switches_account: bool = False
    """It reopens in another region or with another profile (``:region``, ``:profile``)."""
    emulated: bool = False
    """Everything runs on this machine: no account, no cost, no endpoint or profile to show."""


@dataclass(frozen=True)
class SampleWorkload:
    """What ``seed_demo`` did."""

    made: list[str]
    """One line per resource made; empty when everything was in place already."""
    image: str | None = None
    """Which image the sample's containers run and why, in one line; None when nothing asked."""
    image_needs_registry: bool = False
    """The image is not to be had here without a registry: ``image`` says how to put that right."""


class Backend:
    """A place the console manages compute in: the local emulator, or AWS.

    Subclasses set the facets they offer in ``__init__`` and leave the rest
    ``None``.
    """

    name: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()

    ecs: EcsFacet | None = None
    ecr: EcrFacet | None = None
    lambda_: LambdaFacet | None = None
    apigateway: ApiGatewayFacet | None = None
    batch: BatchFacet | None = None
    lightsail: LightsailFacet | None = None
    logs: LogsFacet | None = None
    metrics: MetricsFacet | None = None
    autoscaling: AutoScalingFacet | None = None
    eks: EksFacet | None = None

    def __init__(self, *, read_only: bool = False, region: str = "us-east-1") -> None:
        self.read_only = read_only
        self.region = region

    @classmethod
    def profiles(cls) -> list[str]:
        """The named configurations it can open with (AWS profiles in ``~/.aws/config``); [] for none."""
        return []

    def unavailable_reason(self, facet: str) -> str | None:
        """Why ``facet`` is ``None`` on this backend, when the backend has more to say than that."""
        return None

    def facets(self) -> dict[str, Facet | None]:
        """Each facet by name, ``None`` where the backend does not offer it."""
        return {name: getattr(self, name) for name in FACETS}

    def info(self) -> BackendInfo:
        """Who and where: account, region, endpoint, read-only, engine status."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the backend holds: threads, connections, the state store."""

    @property
    def freshly_created(self) -> bool:
        """True on a first run: the backend's state did not exist before this open."""
        return False

    def seed_demo(self) -> SampleWorkload:
        """Create the sample workload: what it made, and the image its containers run. Offered
        where ``capabilities.sample_workload`` says so."""
        raise Unsupported(f"the {self.name} backend has no sample workload")

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def all_mutating_operations(backend: Backend) -> Iterable[tuple[str, str]]:
    """``(facet, operation)`` for every mutating operation the backend's facets have."""
    for name, facet in backend.facets().items():
        if facet is not None:
            for op in type(facet).mutating_operations():
                yield name, op
