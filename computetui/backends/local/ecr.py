"""ECR in the local emulator: repositories (their images live in the local engine)."""

from __future__ import annotations

from typing import Any

from computetui.backends.base import EcrFacet
from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.local.validation import check_pattern
from computetui.models import ecr as m

REPOSITORY = "ecr:repository"
IMAGE = "ecr:image"
NAME_PATTERN = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"


class LocalEcr(LocalFacetMixin, EcrFacet):
    def _load(self, repository_name: str) -> m.Repository:
        body = self.store.get(REPOSITORY, self.ids.ecr_repository(repository_name))
        if body is None:
            raise NotFound(
                f"The repository with name '{repository_name}' does not exist in the registry "
                f"with id '{self.ids.account}'",
                code="RepositoryNotFoundException",
            )
        return m.Repository.model_validate(body)

    def create_repository(
        self,
        repository_name: str,
        image_tag_mutability: str = "MUTABLE",
        image_scanning_configuration: dict[str, Any] | None = None,
        **_: Any,
    ) -> m.Repository:
        if len(repository_name) < 2:
            raise InvalidParameter(
                "Invalid parameter at 'repositoryName' failed to satisfy constraint: "
                "'Member must have length greater than or equal to 2'",
                code="InvalidParameterException",
                field="repositoryName",
            )
        try:
            check_pattern("repositoryName", repository_name, NAME_PATTERN, max_length=256)
        except InvalidParameter as exc:
            raise InvalidParameter(exc.message, code="InvalidParameterException", field="repositoryName") from None
        if image_tag_mutability not in ("MUTABLE", "IMMUTABLE"):
            raise InvalidParameter(
                "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: "
                "'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'",
                code="InvalidParameterException",
                field="imageTagMutability",
            )
        arn = self.ids.ecr_repository(repository_name)
        repository = m.Repository(
            repository_arn=arn,
            registry_id=self.ids.account,
            repository_name=repository_name,
            repository_uri=self.ids.ecr_uri(repository_name),
            created_at=self.now,
            image_tag_mutability=image_tag_mutability,
            image_scanning_configuration=m.ImageScanningConfiguration.model_validate(
                image_scanning_configuration or {}
            ),
        )
        with self.store.transaction():
            if self.store.get(REPOSITORY, arn) is not None:
                raise Conflict(
                    f"The repository with name '{repository_name}' already exists in the registry "
                    f"with id '{self.ids.account}'",
                    code="RepositoryAlreadyExistsException",
                )
            self.store.put(REPOSITORY, arn, repository.to_aws(), name=repository_name)
        return repository

    def delete_repository(self, repository_name: str, force: bool = False) -> m.Repository:
        with self.store.transaction():
            repository = self._load(repository_name)
            images = self.store.list(IMAGE, parent=repository.repository_arn)
            if images and not force:
                raise Conflict(
                    f"The repository with name '{repository_name}' in registry with id "
                    f"'{self.ids.account}' cannot be deleted because it still contains images",
                    code="RepositoryNotEmptyException",
                )
            for image in images:
                self.store.delete(IMAGE, f"{repository.repository_arn}@{image['imageDigest']}")
            self.store.delete(REPOSITORY, repository.repository_arn)
        return repository

    def describe_repositories(self, repository_names: list[str] | None = None) -> list[m.Repository]:
        if repository_names is None:
            return [m.Repository.model_validate(b) for b in self.store.list(REPOSITORY)]
        return [self._load(name) for name in repository_names]

    def describe_images(
        self, repository_name: str, image_ids: list[dict[str, str]] | None = None
    ) -> list[m.ImageDetail]:
        repository = self._load(repository_name)
        images = [m.ImageDetail.model_validate(b) for b in self.store.list(IMAGE, parent=repository.repository_arn)]
        if image_ids:
            digests = {i.get("imageDigest") for i in image_ids if i.get("imageDigest")}
            tags = {i.get("imageTag") for i in image_ids if i.get("imageTag")}
            images = [i for i in images if i.image_digest in digests or tags & set(i.image_tags)]
        return images
