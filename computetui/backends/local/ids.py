"""ARNs and ids in AWS's formats, for the local account.

Random parts come from one ``random.Random``, so a backend opened with a seed
makes the same ids every time (snapshot tests rely on it).
"""

from __future__ import annotations

import random
import string
import threading
import uuid
from datetime import datetime

ACCOUNT_ID = "000000000000"
PARTITION = "aws"


class Ids:
    """Makes ARNs and ids for one account and region."""

    def __init__(self, region: str = "us-east-1", account: str = ACCOUNT_ID, seed: int | None = None) -> None:
        self.region = region
        self.account = account
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    # -- random parts ----------------------------------------------------
    def hex(self, length: int = 32) -> str:
        with self._lock:
            return "".join(self._random.choice("0123456789abcdef") for _ in range(length))

    def uuid(self) -> str:
        """A version-4 UUID, as AWS uses for request ids and Batch job ids."""
        with self._lock:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def alnum(self, length: int = 10) -> str:
        """Lowercase letters and digits, like an API Gateway API id."""
        alphabet = string.ascii_lowercase + string.digits
        with self._lock:
            return "".join(self._random.choice(alphabet) for _ in range(length))

    def ec2_instance_id(self) -> str:
        return "i-" + self.hex(17)

    # -- ARNs --------------------------------------------------------------
    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        account = self.account if account is None else account
        return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"

    def ecs_cluster(self, name: str) -> str:
        return self.arn("ecs", f"cluster/{name}")

    def ecs_task_definition(self, family: str, revision: int) -> str:
        return self.arn("ecs", f"task-definition/{family}:{revision}")

    def ecs_service(self, cluster: str, name: str) -> str:
        return self.arn("ecs", f"service/{cluster}/{name}")

    def ecs_task(self, cluster: str, task_id: str) -> str:
        return self.arn("ecs", f"task/{cluster}/{task_id}")

    def ecs_container_instance(self, cluster: str, instance_id: str) -> str:
        return self.arn("ecs", f"container-instance/{cluster}/{instance_id}")

    def ecs_container(self, cluster: str, task_id: str) -> str:
        return self.arn("ecs", f"container/{cluster}/{task_id}/{self.uuid()}")

    def ecr_repository(self, name: str) -> str:
        return self.arn("ecr", f"repository/{name}")

    def ecr_uri(self, name: str) -> str:
        return f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}"

    def lambda_function(self, name: str, qualifier: str | None = None) -> str:
        suffix = f":{qualifier}" if qualifier else ""
        return self.arn("lambda", f"function:{name}{suffix}")

    def lambda_log_stream(self, when: datetime, version: str = "$LATEST") -> str:
        return f"{when:%Y/%m/%d}/[{version}]{self.hex(32)}"

    def batch(self, kind: str, name: str) -> str:
        """``kind``: compute-environment, job-queue, job-definition (name:revision) or job."""
        return self.arn("batch", f"{kind}/{name}")

    def apigateway_rest_api(self, api_id: str) -> str:
        return f"arn:{PARTITION}:apigateway:{self.region}::/restapis/{api_id}"

    def apigateway_api(self, api_id: str) -> str:
        return f"arn:{PARTITION}:apigateway:{self.region}::/apis/{api_id}"

    def apigateway_endpoint(self, api_id: str) -> str:
        return f"https://{api_id}.execute-api.{self.region}.amazonaws.com"

    def lightsail(self, resource_type: str) -> str:
        return self.arn("lightsail", f"{resource_type}/{self.uuid()}")

    def log_group(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}:*")

    def log_stream(self, group: str, stream: str) -> str:
        return self.arn("logs", f"log-group:{group}:log-stream:{stream}")
