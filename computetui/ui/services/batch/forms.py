"""Batch forms: submit a job, create a compute environment, create a job queue.

Each is a ``Form`` (widgets/form.py) of declared fields; the framework submits, shows errors
and cancels, and keeps what was typed. A field Batch refuses (``ClientException``, with the
field AWS names) is named in the message line and gets the cursor. A form answers True when
it made something.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any

from computetui.backends.base import Backend
from computetui.backends.errors import InvalidParameter
from computetui.ui.widgets.form import Field, FieldForm, FormError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEPENDENCY_TYPES = ("N_TO_N", "SEQUENTIAL")
MAX_DEPENDENCIES = 20


def _words(text: str) -> list[str]:
    """A comma (or newline) separated list, blanks dropped."""
    return [w.strip() for w in re.split(r"[,\n]", text) if w.strip()]


def parse_environment(text: str) -> list[dict[str, str]]:
    """``A=1, B=two`` (or one per line) -> Batch's ``[{"name": "A", "value": "1"}, …]``."""
    pairs = []
    for item in _words(text):
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals:
            raise ValueError(f"{item!r} is not NAME=value")
        if not ENV_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a variable name (letters, digits and _, not first a digit)")
        if name.startswith("AWS_BATCH"):
            raise ValueError(f"{name} is Batch's own: it sets the AWS_BATCH_ variables itself")
        pairs.append({"name": name, "value": value.strip()})
    return pairs


def parse_depends_on(text: str) -> list[dict[str, str]]:
    """``id``, ``id:N_TO_N``, ``id:SEQUENTIAL`` or ``SEQUENTIAL`` (an array's children in order),
    separated by commas or spaces -> Batch's ``dependsOn``. An array child's id holds a colon
    (``<id>:3``), so only a known type after the last colon is taken as the type."""
    dependencies = []
    for item in text.replace(",", " ").split():
        if item.upper() == "SEQUENTIAL":
            dependencies.append({"type": "SEQUENTIAL"})
            continue
        job_id, _, kind = item.rpartition(":")
        if job_id and kind.upper() in DEPENDENCY_TYPES:
            dependencies.append({"jobId": job_id, "type": kind.upper()})
        else:
            dependencies.append({"jobId": item})
    if len(dependencies) > MAX_DEPENDENCIES:
        raise ValueError(f"at most {MAX_DEPENDENCIES} jobs (got {len(dependencies)})")
    return dependencies


class BatchForm(FieldForm):
    """A Batch form whose call returns what it did in a sentence (a notification). A field the
    backend refuses (``InvalidParameter.field``, in AWS's or boto3's spelling) is mapped to the
    form's field, which the message line names and the cursor goes to."""


# -- jobs ------------------------------------------------------------------------------------
def definition_options(backend: Backend) -> list[tuple[str, str]]:
    """Every ACTIVE job definition revision, by name then newest first: ``report:3  (latest)``."""
    assert backend.batch is not None
    by_name: dict[str, list[int]] = {}
    for jd in backend.batch.describe_job_definitions(status="ACTIVE"):
        by_name.setdefault(jd.job_definition_name, []).append(jd.revision)
    options = []
    for name in sorted(by_name):
        revisions = sorted(by_name[name], reverse=True)
        for revision in revisions:
            latest = "  (latest)" if revision == revisions[0] and len(revisions) > 1 else ""
            options.append((f"{name}:{revision}{latest}", f"{name}:{revision}"))
    return options


class SubmitJobForm(BatchForm):
    title_text = "Submit job"
    verb = "Submit"
    hint = ("Empty fields keep the job definition's own: its command, environment, attempts and timeout. "
            "An array size makes that many children, each told its AWS_BATCH_JOB_ARRAY_INDEX.")
    backend_fields = {
        "jobname": "name", "jobqueue": "queue", "jobdefinition": "definition",
        "containeroverrides.command": "command", "containeroverrides.environment": "environment",
        "containeroverrides": "command", "command": "command", "environment": "environment",
        "arrayproperties": "array", "dependson": "depends", "retrystrategy": "attempts", "attempts": "attempts",
        "timeout": "timeout", "attemptdurationseconds": "timeout",
    }

    def __init__(self, queue: str | None = None) -> None:
        super().__init__()
        self.queue = queue

    def fields(self, backend: Backend) -> list[Field]:
        assert backend.batch is not None
        queues = [(q.job_queue_name, q.job_queue_name) for q in backend.batch.describe_job_queues()]
        names = [v for _, v in queues]
        queue = self.queue if self.queue in names else (names[0] if names else None)
        definitions = definition_options(backend)
        return [
            Field("name", "Job name", placeholder="my-job"),
            Field("queue", "Job queue", "select", queue, queues),
            Field("definition", "Job definition", "select", definitions[0][1] if definitions else None,
                  definitions),
            Field("command", "Command override", placeholder="python run.py --day 2026-01-15  (shell words)"),
            Field("environment", "Environment", placeholder="NAME=value, OTHER=value"),
            Field("array", "Array size", "number", placeholder="2-10000 children (empty: one job)"),
            Field("depends", "Depends on", placeholder="job id[:N_TO_N|:SEQUENTIAL], …  or SEQUENTIAL"),
            Field("attempts", "Attempts", "number", placeholder="1-10 (empty: the definition's)"),
            Field("timeout", "Timeout (seconds)", "number", placeholder="60 or more, per attempt (empty: none)"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Job name", "is required (letters, numbers, hyphens and underscores)", "name")
        if not NAME.fullmatch(name):
            raise FormError("Job name", "must be up to 128 letters, numbers, hyphens and underscores, "
                            "starting with a letter or number", "name")
        queue = self.value("queue")
        if not queue:
            raise FormError("Job queue", "create a job queue first (Batch › Job queues, c)", "queue")
        definition = self.value("definition")
        if not definition:
            raise FormError("Job definition", "register a job definition first (Batch › Job definitions, c)",
                            "definition")
        try:
            command = shlex.split(self.value("command"))
        except ValueError as exc:
            raise FormError("Command override", f"{exc} (quote words with spaces, as in a shell)", "command") from None
        try:
            environment = parse_environment(self.value("environment"))
        except ValueError as exc:
            raise FormError("Environment", str(exc), "environment") from None
        size = self.number("array", low=2, high=10_000, optional=True)
        try:
            depends = parse_depends_on(self.value("depends"))
        except ValueError as exc:
            raise FormError("Depends on", str(exc), "depends") from None
        if size is None and any("type" in d for d in depends):
            raise FormError("Depends on", "N_TO_N and SEQUENTIAL are for array jobs: give an array size", "depends")
        attempts = self.number("attempts", low=1, high=10, optional=True)
        timeout = self.number("timeout", low=60, optional=True)

        kwargs: dict[str, Any] = {}  # only what the user gave: the rest is the definition's
        overrides: dict[str, Any] = {}
        if command:
            overrides["command"] = command
        if environment:
            overrides["environment"] = environment
        if overrides:
            kwargs["container_overrides"] = overrides
        if size is not None:
            kwargs["array_properties"] = {"size": size}
        if depends:
            kwargs["depends_on"] = depends
        if attempts is not None:
            kwargs["retry_strategy"] = {"attempts": attempts}
        if timeout is not None:
            kwargs["timeout"] = {"attemptDurationSeconds": timeout}
        self.created = name

        def call(b: Backend) -> str:
            assert b.batch is not None
            job = b.batch.submit_job(name, queue, definition, **kwargs)
            self.job = job
            what = f"an array of {size}" if size else "a job"
            return f"Submitted {what}: {name} ({job.job_id}) to {queue}, {job.status.value}."

        return self.guarded(call)


# -- compute environments ---------------------------------------------------------------------
PROVISIONING = [
    ("FARGATE (Batch runs each job as a Fargate task)", "FARGATE"),
    ("FARGATE_SPOT (interruptible, cheaper)", "FARGATE_SPOT"),
    ("EC2 (instances Batch starts and stops)", "EC2"),
    ("SPOT (EC2 Spot instances)", "SPOT"),
]
FARGATE = ("FARGATE", "FARGATE_SPOT")


class CreateComputeEnvironmentForm(BatchForm):
    title_text = "Create compute environment"
    hint = ("Where jobs run: Batch keeps the vCPUs of running jobs within the maximum; jobs beyond it wait "
            "RUNNABLE. A MANAGED environment scales itself; an UNMANAGED one is your own ECS cluster.")
    backend_fields = {
        "computeenvironmentname": "name", "type": "type", "state": "state",
        "computeresources.minvcpus": "min", "computeresources.maxvcpus": "max",
        "computeresources.subnets": "subnets", "computeresources.instancetypes": "instance_types",
        "computeresources.instancerole": "instance_role", "computeresources.type": "provisioning",
        "computeresources": "max",
    }

    def fields(self, backend: Backend) -> list[Field]:
        return [
            Field("name", "Name", placeholder="my-environment"),
            Field("type", "Type", "select", "MANAGED", [("MANAGED (Batch scales it)", "MANAGED"),
                                                        ("UNMANAGED (your own ECS cluster)", "UNMANAGED")]),
            Field("provisioning", "Provisioning model", "select", "FARGATE", PROVISIONING),
            Field("min", "Minimum vCPUs", "number", "0"),
            Field("max", "Maximum vCPUs", "number", "16"),
            Field("subnets", "Subnets", placeholder="subnet-…, subnet-…  (your VPC's)"),
            Field("instance_types", "Instance types", "input", "optimal", placeholder="EC2/SPOT: optimal, m5.large…"),
            Field("instance_role", "Instance role", placeholder="EC2/SPOT: ecsInstanceRole profile ARN"),
            Field("state", "State", "select", "ENABLED", [("ENABLED", "ENABLED"), ("DISABLED", "DISABLED")]),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not NAME.fullmatch(name):
            raise FormError("Name", "is required: up to 128 letters, numbers, hyphens and underscores", "name")
        kind = self.value("type")
        provisioning = self.value("provisioning")
        low = self.number("min", low=0, high=100_000)
        high = self.number("max", low=0, high=100_000)
        if low is not None and high is not None and low > high:
            raise FormError("Minimum vCPUs", f"must be at most the maximum ({high})", "min")
        subnets = _words(self.value("subnets"))
        state = self.value("state")
        kwargs: dict[str, Any] = {"type": kind, "state": state}
        if kind == "MANAGED":
            resources: dict[str, Any] = {"type": provisioning, "maxvCpus": high, "subnets": subnets}
            if provisioning in FARGATE:
                if low:
                    raise FormError("Minimum vCPUs", "must be 0 for Fargate (it keeps nothing running)", "min")
            else:
                resources["minvCpus"] = low
                resources["instanceTypes"] = _words(self.value("instance_types")) or ["optimal"]
                role = self.value("instance_role")
                if role:
                    resources["instanceRole"] = role
            kwargs["compute_resources"] = resources
        self.created = name

        def call(b: Backend) -> str:
            assert b.batch is not None
            resources = kwargs.get("compute_resources")
            if resources is not None and not resources["subnets"]:
                if not b.capabilities.emulated:
                    raise InvalidParameter("A MANAGED compute environment needs at least one subnet of your VPC",
                                           code="ClientException", field="computeResources.subnets")
                resources["subnets"] = ["subnet-local"]  # the emulator's one network
            b.batch.create_compute_environment(name, **kwargs)
            what = f"{provisioning}, up to {high} vCPUs" if kind == "MANAGED" else "UNMANAGED"
            return f"Created compute environment {name} ({what}, {state})."

        return self.guarded(call)


# -- job queues --------------------------------------------------------------------------------
class CreateJobQueueForm(BatchForm):
    title_text = "Create job queue"
    hint = ("Jobs are submitted to a queue; it tries its compute environments in the order given. Where queues "
            "share an environment, the higher priority is scheduled first.")
    backend_fields = {"jobqueuename": "name", "priority": "priority", "computeenvironmentorder": "environments",
                      "state": "state"}

    def fields(self, backend: Backend) -> list[Field]:
        assert backend.batch is not None
        names = [ce.compute_environment_name for ce in backend.batch.describe_compute_environments()]
        return [
            Field("name", "Name", placeholder="my-queue"),
            Field("priority", "Priority", "number", "1"),
            Field("environments", "Compute environments", "input", ", ".join(names[:1]),
                  placeholder="in order: " + (", ".join(names[:3]) or "create one first")),
            Field("state", "State", "select", "ENABLED", [("ENABLED", "ENABLED"), ("DISABLED", "DISABLED")]),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not NAME.fullmatch(name):
            raise FormError("Name", "is required: up to 128 letters, numbers, hyphens and underscores", "name")
        priority = self.number("priority", low=0, high=1000)
        environments = _words(self.value("environments"))
        if not environments:
            raise FormError("Compute environments", "give at least one, in the order to try them", "environments")
        if len(environments) > 3:
            raise FormError("Compute environments", f"at most 3 (got {len(environments)})", "environments")
        order = [{"order": n, "computeEnvironment": ce} for n, ce in enumerate(environments, start=1)]
        state = self.value("state")
        self.created = name

        def call(b: Backend) -> str:
            assert b.batch is not None
            b.batch.create_job_queue(name, priority, order, state=state)
            return f"Created job queue {name} (priority {priority}) over {', '.join(environments)}."

        return self.guarded(call)
