"""The contract, on every backend: ECR repositories."""

from __future__ import annotations

import pytest

from computetui.backends.errors import Conflict, InvalidParameter, NotFound


def test_ecr_repository_life(contract_backend) -> None:  # noqa: ANN001
    ecr = contract_backend.ecr
    account = contract_backend.info().account
    repo = ecr.create_repository(repository_name="team/web")
    assert repo.repository_uri == f"{account}.dkr.ecr.us-east-1.amazonaws.com/team/web"
    assert repo.repository_arn == f"arn:aws:ecr:us-east-1:{account}:repository/team/web"
    with pytest.raises(Conflict) as caught:
        ecr.create_repository(repository_name="team/web")
    assert caught.value.code == "RepositoryAlreadyExistsException"
    assert ecr.describe_images("team/web") == []
    ecr.delete_repository("team/web")
    with pytest.raises(NotFound) as missing:
        ecr.describe_repositories(["team/web"])
    assert missing.value.code == "RepositoryNotFoundException"


@pytest.mark.parametrize("name", ["UPPER", "a", "ends-", "-starts", "two//slashes"])
def test_ecr_repository_names_follow_the_rule(contract_backend, name: str) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.ecr.create_repository(repository_name=name)
    assert caught.value.code == "InvalidParameterException"
    assert caught.value.field == "repositoryName"
