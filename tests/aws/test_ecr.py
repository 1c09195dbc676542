"""The aws backend's ECR adapter against moto's server, with every API call counted; botocore's
Stubber where moto does not page, and a fake engine for the push (no registry is reached)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from computetui.backends.aws import AwsBackend
from computetui.backends.aws import ecr as aws_ecr
from computetui.backends.docker.engine import Engine, ImageInfo, LocalImage
from computetui.backends.errors import ComputeError, Conflict, InvalidParameter, NotFound, Unavailable, Unsupported
from tests.support.aws import MOTO_ACCOUNT, CallCounter

REGISTRY = f"{MOTO_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"


def manifest(seed: str) -> str:
    """An image manifest as ``docker push`` leaves it in the registry."""
    digest = "sha256:" + hashlib.sha256(seed.encode()).hexdigest()
    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 100, "digest": digest},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1000,
                    "digest": digest}],
    })


def test_repositories_are_created_described_and_deleted(aws_backend: AwsBackend, calls: CallCounter) -> None:
    ecr = aws_backend.ecr
    repo = ecr.create_repository("team/web", image_tag_mutability="IMMUTABLE",
                                 image_scanning_configuration={"scanOnPush": True})
    assert (repo.repository_uri, repo.image_tag_mutability.value, repo.image_scanning_configuration.scan_on_push) == (
        f"{REGISTRY}/team/web", "IMMUTABLE", True)
    ecr.create_repository("team/api")
    assert sorted(r.repository_name for r in ecr.describe_repositories()) == ["team/api", "team/web"]
    assert [r.repository_name for r in ecr.describe_repositories(["team/api"])] == ["team/api"]
    ecr.put_image("team/web", manifest("a"), "v1")
    with pytest.raises(Conflict) as caught:
        ecr.delete_repository("team/web")
    assert caught.value.code == "RepositoryNotEmptyException"
    assert ecr.delete_repository("team/web", force=True).repository_name == "team/web"
    with pytest.raises(NotFound) as missing:
        ecr.describe_repositories(["team/web"])
    assert missing.value.code == "RepositoryNotFoundException"


def test_a_name_botocore_refuses_is_the_same_error_and_nothing_is_sent(
    aws_backend: AwsBackend, calls: CallCounter
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.ecr.create_repository(repository_name="a")
    assert (caught.value.code, caught.value.field) == ("InvalidParameterException", "repositoryName")
    assert calls.sent == []


def test_a_manifest_is_tagged_with_put_image_and_images_list_newest_first(aws_backend: AwsBackend) -> None:
    ecr = aws_backend.ecr
    ecr.create_repository("web")
    first = ecr.put_image("web", manifest("a"), "v1")
    assert (first.repository_name, first.image_tags, first.registry_id) == ("web", ["v1"], MOTO_ACCOUNT)
    assert ecr.put_image("web", manifest("a"), "latest").image_tags == ["v1", "latest"]
    with pytest.raises(Conflict) as again:
        ecr.put_image("web", manifest("a"), "v1")
    assert again.value.code == "ImageAlreadyExistsException"
    ecr.put_image("web", manifest("b"), "v2")
    images = ecr.describe_images("web")
    assert [i.image_tags for i in images][0] in (["v2"], ["v1", "latest"])  # moto stamps whole seconds
    assert len(images) == 2
    assert [i.image_tags for i in ecr.describe_images("web", [{"imageTag": "v2"}])] == [["v2"]]
    # Two ids naming one image describe it once.
    assert len(ecr.describe_images("web", [{"imageTag": "v1"}, {"imageDigest": first.image_digest}])) == 1
    with pytest.raises(NotFound) as missing:
        ecr.describe_images("web", [{"imageTag": "nope"}])
    assert missing.value.code == "ImageNotFoundException"


def test_images_sort_newest_push_first(aws_backend: AwsBackend) -> None:
    detail = {"registryId": MOTO_ACCOUNT, "repositoryName": "web"}
    with Stubber(aws_backend.client("ecr")) as stub:
        stub.add_response("describe_images", {"imageDetails": [
            {**detail, "imageDigest": "sha256:1", "imagePushedAt": "2026-01-01T00:00:00Z", "imageTags": ["old"]},
            {**detail, "imageDigest": "sha256:3", "imageTags": ["never"]},
            {**detail, "imageDigest": "sha256:2", "imagePushedAt": "2026-02-01T00:00:00Z", "imageTags": ["new"]},
        ]}, {"repositoryName": "web", "maxResults": 1000})
        assert [i.image_tags for i in aws_backend.ecr.describe_images("web")] == [["new"], ["old"], ["never"]]


def test_every_page_of_images_is_read(aws_backend: AwsBackend, calls: CallCounter) -> None:
    detail = {"registryId": MOTO_ACCOUNT, "repositoryName": "web"}
    asked = {"repositoryName": "web", "maxResults": 1000}
    with Stubber(aws_backend.client("ecr")) as stub:
        stub.add_response("describe_images", {"imageDetails": [{**detail, "imageDigest": "sha256:1"}],
                                              "nextToken": "n"}, asked)
        stub.add_response("describe_images", {"imageDetails": [{**detail, "imageDigest": "sha256:2"}]},
                          {**asked, "nextToken": "n"})
        assert len(aws_backend.ecr.describe_images("web")) == 2
        stub.assert_no_pending_responses()
    assert calls.of("ecr", "DescribeImages") == 2


def test_repositories_are_named_100_a_call_and_listed_every_page(aws_backend: AwsBackend, calls: CallCounter) -> None:
    names = [f"r{i:03}" for i in range(150)]

    def repos(chunk: list[str]) -> list[dict[str, Any]]:
        return [{"repositoryName": n, "repositoryArn": f"arn:aws:ecr:us-east-1:{MOTO_ACCOUNT}:repository/{n}",
                 "registryId": MOTO_ACCOUNT, "repositoryUri": f"{REGISTRY}/{n}"} for n in chunk]

    with Stubber(aws_backend.client("ecr")) as stub:
        stub.add_response("describe_repositories", {"repositories": repos(names[:100])},
                          {"repositoryNames": names[:100]})
        stub.add_response("describe_repositories", {"repositories": repos(names[100:])},
                          {"repositoryNames": names[100:]})
        stub.add_response("describe_repositories", {"repositories": repos(names[:70]), "nextToken": "n"},
                          {"maxResults": 1000})
        stub.add_response("describe_repositories", {"repositories": repos(names[70:])},
                          {"maxResults": 1000, "nextToken": "n"})
        assert len(aws_backend.ecr.describe_repositories(names)) == 150
        assert [r.repository_name for r in aws_backend.ecr.describe_repositories()] == names
        stub.assert_no_pending_responses()
    assert calls.of("ecr", "DescribeRepositories") == 4


def test_images_are_deleted_100_a_call_and_the_answers_merged(aws_backend: AwsBackend, calls: CallCounter) -> None:
    ids = [{"imageTag": f"t{i}"} for i in range(150)]
    with Stubber(aws_backend.client("ecr")) as stub:
        stub.add_response("batch_delete_image", {"imageIds": [{**ids[0], "imageDigest": "sha256:1"}],
                                                 "failures": [{"imageId": ids[1], "failureCode": "ImageNotFound",
                                                               "failureReason": "Requested image not found"}]},
                          {"repositoryName": "web", "imageIds": ids[:100]})
        stub.add_response("batch_delete_image", {"imageIds": [{**ids[100], "imageDigest": "sha256:2"}],
                                                 "failures": []},
                          {"repositoryName": "web", "imageIds": ids[100:]})
        answer = aws_backend.ecr.batch_delete_image("web", ids)
        stub.assert_no_pending_responses()
    assert [i["imageTag"] for i in answer["imageIds"]] == ["t0", "t100"]
    assert [f["failureCode"] for f in answer["failures"]] == ["ImageNotFound"]
    assert calls.of("ecr", "BatchDeleteImage") == 2


def test_batch_delete_image_on_moto(aws_backend: AwsBackend) -> None:
    ecr = aws_backend.ecr
    ecr.create_repository("web")
    ecr.put_image("web", manifest("a"), "v1")
    answer = ecr.batch_delete_image("web", [{"imageTag": "v1"}, {"imageTag": "zz"}])
    assert [i["imageTag"] for i in answer["imageIds"]] == ["v1"]
    assert [f["failureCode"] for f in answer["failures"]] == ["ImageNotFound"]
    assert ecr.describe_images("web") == []


def test_lifecycle_policies(aws_backend: AwsBackend) -> None:
    ecr = aws_backend.ecr
    ecr.create_repository("web")
    with pytest.raises(NotFound) as missing:
        ecr.get_lifecycle_policy("web")
    assert missing.value.code == "LifecyclePolicyNotFoundException"
    text = json.dumps({"rules": [{"rulePriority": 1, "selection": {
        "tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]})
    put = ecr.put_lifecycle_policy("web", text)
    assert (put.repository_name, put.registry_id, put.lifecycle_policy_text) == ("web", MOTO_ACCOUNT, text)
    assert ecr.get_lifecycle_policy("web").lifecycle_policy_text == text
    assert ecr.delete_lifecycle_policy("web").lifecycle_policy_text == text
    with pytest.raises(NotFound):
        ecr.delete_lifecycle_policy("web")


# -- pushing a local image --------------------------------------------------------------------


@dataclass
class FakeEngine:
    """The local engine's side of a push; the 'registry' is moto, given the manifest a push would leave."""

    backend: AwsBackend
    images: dict[str, ImageInfo] = field(default_factory=dict)
    tagged: list[tuple[str, str, str]] = field(default_factory=list)
    pushes: list[dict[str, Any]] = field(default_factory=list)
    fail_with: str | None = None

    @property
    def client(self) -> FakeEngine:
        return self

    @property
    def api(self) -> FakeEngine:
        return self

    def image_info(self, reference: str) -> ImageInfo | None:
        return self.images.get(reference)

    def tag_image(self, image: str, repository: str, tag: str) -> None:
        self.tagged.append((image, repository, tag))

    def list_images(self) -> list[LocalImage]:
        return [LocalImage(id=i.id, tags=(name,), size=i.size, created=1_767_225_600)
                for name, i in self.images.items()]

    def push(self, repository: str, tag: str, auth_config: dict[str, str], stream: bool, decode: bool
             ) -> Iterator[dict[str, Any]]:
        self.pushes.append({"repository": repository, "tag": tag, "auth": auth_config})
        yield {"status": f"The push refers to repository [{repository}]"}
        if self.fail_with:
            yield {"errorDetail": {"message": self.fail_with}, "error": self.fail_with}
            return
        name = repository.split("/", 1)[1]
        # The registry's side, on a client of its own: only the adapter's calls are counted.
        registry = boto3.client("ecr", region_name="us-east-1", endpoint_url=self.backend.endpoint_url)
        image = registry.put_image(repositoryName=name, imageManifest=manifest(tag), imageTag=tag)
        digest = image["image"]["imageId"]["imageDigest"]
        yield {"status": f"{tag}: digest: {digest} size: 1000"}
        yield {"aux": {"Tag": tag, "Digest": digest, "Size": 1000}}


@pytest.fixture
def engine(aws_backend: AwsBackend, monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine(aws_backend, images={"web:dev": ImageInfo(id="sha256:" + "c" * 64, size=4096)})
    aws_backend.ecr._engine = fake
    # moto's registry host is an AWS one, which the adapter refuses to push to with an endpoint
    # set; the fake engine sends nothing anywhere, so here the push may go ahead.
    monkeypatch.setattr(aws_ecr, "refuse_beyond_endpoint", lambda *args: None)
    return fake


def test_with_an_endpoint_set_nothing_is_pushed_to_an_aws_registry_host(aws_backend: AwsBackend) -> None:
    fake = FakeEngine(aws_backend, images={"web:dev": ImageInfo(id="sha256:" + "c" * 64, size=4096)})
    aws_backend.ecr._engine = fake
    aws_backend.ecr.create_repository("web")
    with pytest.raises(Unsupported) as caught:
        aws_backend.ecr.put_image("web", "web:dev", "v1")
    assert caught.value.code == "ImagePushUnsupported" and REGISTRY.split("/")[0] in str(caught.value)
    assert fake.pushes == [] and fake.tagged == []


def test_a_local_image_is_pushed_with_the_registry_s_token(
    aws_backend: AwsBackend, calls: CallCounter, engine: FakeEngine
) -> None:
    aws_backend.ecr.create_repository("web")
    calls.clear()
    pushed = aws_backend.ecr.put_image("web", "web:dev", "v1")
    assert pushed.image_tags == ["v1"] and pushed.repository_name == "web"
    assert engine.tagged == [("sha256:" + "c" * 64, f"{REGISTRY}/web", "v1")]
    [push] = engine.pushes
    assert (push["repository"], push["tag"]) == (f"{REGISTRY}/web", "v1")
    # moto's token is base64 of "AWS:<account>-auth-token"; the push gets it, split as docker login would.
    assert push["auth"] == {"username": "AWS", "password": f"{MOTO_ACCOUNT}-auth-token",
                            "serveraddress": f"https://{REGISTRY}"}
    assert {k: v for k, v in calls.calls.items() if v} == {
        ("ecr", "DescribeRepositories"): 1, ("ecr", "GetAuthorizationToken"): 1, ("ecr", "DescribeImages"): 1}


def test_pushing_an_image_the_engine_does_not_have_sends_nothing_to_the_registry(
    aws_backend: AwsBackend, engine: FakeEngine
) -> None:
    aws_backend.ecr.create_repository("web")
    with pytest.raises(NotFound) as caught:
        aws_backend.ecr.put_image("web", "nope:latest", "v1")
    assert caught.value.code == "ImageNotFoundException"
    assert engine.pushes == [] and engine.tagged == []


def test_a_push_the_registry_refuses_is_an_error_with_its_words(aws_backend: AwsBackend, engine: FakeEngine) -> None:
    aws_backend.ecr.create_repository("web")
    engine.fail_with = "denied: not authorized"
    with pytest.raises(ComputeError, match="denied: not authorized") as caught:
        aws_backend.ecr.put_image("web", "web:dev", "v1")
    assert caught.value.code == "ImagePushFailed"


def test_local_images_are_the_engine_s(aws_backend: AwsBackend, calls: CallCounter, engine: FakeEngine) -> None:
    [image] = aws_backend.ecr.list_local_images()
    assert (image.id, image.tags, image.size) == ("sha256:" + "c" * 64, ["web:dev"], 4096)
    assert image.created is not None and image.created.year == 2026
    assert calls.sent == []


def test_without_an_engine_local_images_and_pushes_are_unavailable(
    aws_backend: AwsBackend, tmp_path: Any
) -> None:
    aws_backend.ecr._engine = Engine(f"unix://{tmp_path}/no-docker.sock")
    with pytest.raises(Unavailable, match="no Docker socket"):
        aws_backend.ecr.list_local_images()
    aws_backend.ecr.create_repository("web")
    with pytest.raises(Unavailable):
        aws_backend.ecr.put_image("web", "web:dev", "v1")


def test_the_engine_is_the_local_emulator_s_engine_code(aws_backend: AwsBackend) -> None:
    assert isinstance(aws_backend.ecr.engine(), Engine)


def test_closing_the_backend_lets_go_of_the_engine_a_push_opened(aws_backend: AwsBackend) -> None:
    closed: list[bool] = []

    class Opened:
        def close(self) -> None:
            closed.append(True)

    aws_backend.ecr._engine = Opened()
    aws_backend.close()
    assert closed == [True] and aws_backend.ecr._engine is None
    aws_backend.close()  # twice is harmless
    assert closed == [True]
