"""The execution role a new function gets when none is named, as the Lambda console makes it.

Creating a function without a role does what the Lambda console does: it creates
an execution role ``service-role/<function>-role-<random>`` that Lambda may
assume, with an inline policy that lets it write its own log group (what the
managed AWSLambdaBasicExecutionRole grants, scoped to the function), and
retries CreateFunction while IAM makes the new role visible to Lambda. If the
function cannot be created the role is removed again.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller
from computetui.backends.errors import ComputeError, InvalidParameter
from computetui.backends.rules.lambda_ import NAME_MAX

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

BASIC_EXECUTION_POLICY = "AWSLambdaBasicExecutionRole"
"""The new role's inline policy: what the AWS managed policy of that name grants (create the log
group, write its streams), scoped to the function's own log group as the console scopes it."""

LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

ROLE_PROPAGATION_WAIT_S = 20.0
"""How long CreateFunction is retried while IAM makes a new role visible to Lambda."""

_ROLE_NOT_READY = "cannot be assumed by Lambda"


class ExecutionRoles:
    """Creates a function's role and waits for IAM to make it visible to Lambda (part of AwsLambda)."""

    backend: AwsBackend
    api: Caller
    iam: Caller
    _sleep: Any
    _monotonic: Any

    def _create_retrying(self, function_name: str, params: dict[str, Any], retry_role: bool) -> dict[str, Any]:
        deadline = self._monotonic() + ROLE_PROPAGATION_WAIT_S
        delay = 1.0
        while True:
            try:
                return self.api.call("create_function", FunctionName=function_name, **params)
            except InvalidParameter as exc:
                if not (retry_role and _ROLE_NOT_READY in exc.message and self._monotonic() + delay < deadline):
                    raise
            self._sleep(delay)
            delay = min(delay * 2, 5.0)

    def _create_execution_role(self, function_name: str) -> dict[str, Any]:
        """The role the Lambda console makes for a new function: ``service-role/<name>-role-<random>``."""
        suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        name = f"{function_name[: NAME_MAX - 14]}-role-{suffix}"
        role = self.iam.call(
            "create_role",
            RoleName=name,
            Path="/service-role/",
            AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY),
            Description=f"Execution role of the Lambda function {function_name} (made by computetui)",
        )["Role"]
        _, partition, _, _, account, _ = role["Arn"].split(":", 5)
        logs = f"arn:{partition}:logs:{self.backend.region}:{account}"
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": f"{logs}:*"},
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [f"{logs}:log-group:/aws/lambda/{function_name}:*"],
                },
            ],
        }
        try:
            self.iam.call(
                "put_role_policy", RoleName=name, PolicyName=BASIC_EXECUTION_POLICY, PolicyDocument=json.dumps(policy)
            )
        except BaseException:
            self._delete_role(name)
            raise
        return role

    def _delete_role(self, name: str) -> None:
        """Remove a role this adapter made for a function that was not created; best effort."""
        for operation, params in (("delete_role_policy", {"PolicyName": BASIC_EXECUTION_POLICY}), ("delete_role", {})):
            try:
                self.iam.call(operation, RoleName=name, **params)
            except ComputeError:
                pass
