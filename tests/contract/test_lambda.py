from __future__ import annotations

import pytest

from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.blueprints import zip_files
from tests.support.functions import HELLO, create


def test_create_returns_pending_then_the_function_is_active(contract_backend) -> None:  # noqa: ANN001
    created = create(contract_backend)
    # AWS answers CreateFunction while the function is Pending. moto makes it Active at once, so on
    # aws the adapter's pass-through of Pending is proven with a stubbed answer in tests/aws/test_lambda.py.
    assert created.state.value == "Pending" or (contract_backend.name == "aws" and created.state.value == "Active")
    account = contract_backend.info().account
    assert created.function_arn == f"arn:aws:lambda:us-east-1:{account}:function:hello"
    got = contract_backend.lambda_.get_function("hello")
    assert got.configuration.state.value == "Active"
    assert got.configuration.last_update_status.value == "Successful"
    assert got.configuration.code_size == len(HELLO.zip())
    assert got.configuration.memory_size == 128 and got.configuration.timeout == 3
    assert [f.function_name for f in contract_backend.lambda_.list_functions()] == ["hello"]


def test_the_same_code_has_the_same_sha256(contract_backend) -> None:  # noqa: ANN001
    a = create(contract_backend, "a")
    b = create(contract_backend, "b")
    assert a.code_sha256 == b.code_sha256


def test_a_second_function_with_the_same_name_conflicts(contract_backend) -> None:  # noqa: ANN001
    create(contract_backend)
    with pytest.raises(Conflict) as caught:
        create(contract_backend)
    assert caught.value.code == "ResourceConflictException"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"memory_size": 64}, "memorySize", "ValidationException"),
        ({"memory_size": 10_241}, "memorySize", "ValidationException"),
        ({"timeout": 0}, "timeout", "ValidationException"),
        ({"timeout": 901}, "timeout", "ValidationException"),
        ({"function_name": "has space"}, "functionName", "ValidationException"),
        ({"runtime": "python2.7"}, "Runtime", "InvalidParameterValueException"),
        ({"code": {"ZipFile": b"not a zip"}}, "ZipFile", "InvalidParameterValueException"),
        ({"environment": {"Variables": {"BIG": "x" * 5000}}}, "Environment", "InvalidParameterValueException"),
        ({"ephemeral_storage": {"Size": 100}}, "ephemeralStorage.size", "ValidationException"),
    ],
)
def test_bad_parameters_name_the_field_and_the_rule(contract_backend, overrides, field, code) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        create(contract_backend, **overrides)
    assert caught.value.code == code
    assert caught.value.field == field
    assert contract_backend.lambda_.list_functions() == []  # nothing half-made


def test_an_empty_function_name_must_have_length_at_least_1(contract_backend) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        create(contract_backend, "")
    assert caught.value.code == "ValidationException" and caught.value.field == "functionName"
    assert caught.value.message == (
        "1 validation error detected: Value '' at 'functionName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_memory_limits_are_inclusive(contract_backend) -> None:  # noqa: ANN001
    assert create(contract_backend, "small", memory_size=128).memory_size == 128
    assert create(contract_backend, "large", memory_size=10_240, timeout=900).timeout == 900


def test_delete_and_not_found(contract_backend) -> None:  # noqa: ANN001
    create(contract_backend)
    contract_backend.lambda_.delete_function("hello")
    with pytest.raises(NotFound) as caught:
        contract_backend.lambda_.get_function("hello")
    assert caught.value.code == "ResourceNotFoundException"
    assert "function:hello" in caught.value.message


def test_a_function_is_found_by_arn_too(contract_backend) -> None:  # noqa: ANN001
    created = create(contract_backend)
    assert contract_backend.lambda_.get_function(created.function_arn).configuration.function_name == "hello"


def test_zip_helper_keeps_executable_bits() -> None:
    import io
    import zipfile

    data = zip_files({"bootstrap": "#!/bin/sh\n", "lib.txt": "x"}, executable={"bootstrap"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert modes == {"bootstrap": 0o755, "lib.txt": 0o644}
