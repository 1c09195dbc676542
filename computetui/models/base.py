"""The base classes every model derives from.

Field names are snake_case; the alias of each is the field's name in AWS's
JSON, so ``Model.model_validate(aws_json)`` reads what the AWS CLI prints and
``model.to_aws()`` writes it back. Most services spell their JSON in
camelCase (ECS, ECR, Batch, Lightsail, EKS, CloudWatch Logs, API Gateway v1);
Lambda, CloudWatch metrics and API Gateway v2 (as boto3 returns it) use
PascalCase.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel, to_pascal


class AwsModel(BaseModel):
    """A model whose AWS JSON is camelCase."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        validate_assignment=False,
    )

    def to_aws(self) -> dict[str, Any]:
        """AWS's JSON: aliased names, unset optional fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    def updated(self, **changes: Any) -> Self:
        """A copy with ``changes`` (snake_case names) applied and validated, unlike ``model_copy``."""
        return self.model_validate({**self.model_dump(), **changes})


class PascalModel(AwsModel):
    """A model whose AWS JSON is PascalCase (Lambda, CloudWatch, API Gateway v2)."""

    model_config = ConfigDict(
        alias_generator=to_pascal,
        populate_by_name=True,
        extra="ignore",
    )
