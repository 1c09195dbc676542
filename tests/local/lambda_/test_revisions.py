"""A function's RevisionId: new with every change to it, and honoured by the calls that take it
(UpdateFunctionConfiguration, UpdateFunctionCode, PublishVersion) as AWS honours it."""

from __future__ import annotations

import pytest

from computetui.backends.errors import ComputeError
from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from computetui.clock import FixedClock
from tests.support.fakes import StaticEngine


def _code(text: str = "def handler(e, c):\n    return e\n") -> bytes:
    return zip_files({"lambda_function.py": text})


def _function(backend: LocalBackend, name: str = "fn") -> str:
    backend.lambda_.create_function(function_name=name, runtime="python3.12", handler="lambda_function.handler",
                                    code={"ZipFile": _code()})
    return name


def test_every_change_to_a_function_gives_it_a_new_revision_id(backend: LocalBackend) -> None:
    lam = backend.lambda_
    created = lam.create_function(function_name="fn", runtime="python3.12", handler="lambda_function.handler",
                                  code={"ZipFile": _code()})
    seen = [created.revision_id, lam.get_function_configuration("fn").revision_id]
    seen.append(lam.update_function_configuration("fn", description="two").revision_id)
    seen.append(lam.update_function_code("fn", zip_file=_code("def handler(e, c):\n    return 2\n")).revision_id)

    assert None not in seen
    assert seen[0] == seen[1]  # what create answered is what a read gives
    assert len(set(seen[1:])) == 3
    assert lam.get_function("fn").configuration.revision_id == seen[-1]
    assert [c.revision_id for c in lam.list_functions()] == [seen[-1]]


def test_a_published_version_has_its_own_revision_id_and_latest_keeps_its(backend: LocalBackend) -> None:
    lam = backend.lambda_
    latest = lam.get_function_configuration(_function(backend)).revision_id
    version = lam.publish_version("fn", revision_id=latest)

    assert version.version == "1"
    assert version.revision_id not in (None, latest)
    assert lam.get_function_configuration("fn", qualifier="1").revision_id == version.revision_id
    assert lam.get_function_configuration("fn").revision_id == latest


@pytest.mark.parametrize("call", ["update_function_configuration", "update_function_code", "publish_version"])
def test_a_call_given_an_older_revision_id_is_refused_and_changes_nothing(backend: LocalBackend, call: str) -> None:
    lam = backend.lambda_
    stale = lam.get_function_configuration(_function(backend)).revision_id
    lam.update_function_configuration("fn", description="changed meanwhile")
    before = lam.get_function("fn").to_aws()
    attempt = {
        "update_function_configuration": lambda rev: lam.update_function_configuration(
            "fn", description="mine", revision_id=rev),
        "update_function_code": lambda rev: lam.update_function_code(
            "fn", zip_file=_code("def handler(e, c):\n    return 'mine'\n"), revision_id=rev),
        "publish_version": lambda rev: lam.publish_version("fn", revision_id=rev),
    }[call]

    with pytest.raises(ComputeError) as refused:
        attempt(stale)
    assert refused.value.code == "PreconditionFailedException"
    assert refused.value.message == ("The Revision Id provided does not match the latest Revision Id. "
                                     "Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
    assert lam.get_function("fn").to_aws() == before
    assert [c.version for c in lam.list_versions_by_function("fn")] == ["$LATEST"]

    attempt(lam.get_function_configuration("fn").revision_id)  # the latest one goes through


def test_a_seeded_backend_gives_the_same_revision_ids_on_every_run() -> None:
    def run() -> list[str | None]:
        backend = LocalBackend(":memory:", clock=FixedClock(), seed=5, engine=StaticEngine(), controller=False)
        try:
            lam = backend.lambda_
            _function(backend)
            return [lam.get_function_configuration("fn").revision_id,
                    lam.update_function_configuration("fn", timeout=9).revision_id,
                    lam.publish_version("fn").revision_id]
        finally:
            backend.close()

    assert run() == run()
