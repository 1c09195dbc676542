"""ECR lifecycle policies: the pure evaluation (no Docker), and validation as ECR does it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from computetui.backends.errors import ComputeError, InvalidParameter
from computetui.backends.local import LocalBackend
from computetui.backends.rules.ecr_lifecycle import LifecycleRule, evaluate_lifecycle_policy, parse_lifecycle_policy
from computetui.clock import FixedClock
from computetui.models.ecr import ImageDetail

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def image(digest: str, tags: list[str], days_ago: float) -> ImageDetail:
    return ImageDetail(
        registry_id="000000000000",
        repository_name="repo",
        image_digest=digest,
        image_tags=tags,
        image_pushed_at=NOW - timedelta(days=days_ago),
    )


def rule(priority: int, tag_status: str, count_type: str, count_number: int, **selection: object) -> dict:
    body: dict = {"tagStatus": tag_status, "countType": count_type, "countNumber": count_number, **selection}
    if count_type == "sinceImagePushed":
        body.setdefault("countUnit", "days")
    return {"rulePriority": priority, "selection": body, "action": {"type": "expire"}}


def policy(*rules: dict) -> str:
    # Real policies are well over ECR's 100-character minimum; pad small ones with a description.
    return json.dumps({"rules": [{"description": "a rule of the test policy", **r} for r in rules]})


def expired(text: str, images: list[ImageDetail]) -> dict[str, int]:
    return evaluate_lifecycle_policy(text, images, NOW)


# -- evaluation -------------------------------------------------------------------


def test_image_count_more_than_keeps_the_newest_n() -> None:
    images = [image(f"sha256:{n}", [f"v{n}"], days_ago=10 - n) for n in range(5)]  # v4 is the newest
    result = expired(policy(rule(1, "any", "imageCountMoreThan", 2)), images)
    assert result == {"sha256:0": 1, "sha256:1": 1, "sha256:2": 1}
    assert list(result) == ["sha256:0", "sha256:1", "sha256:2"]  # oldest first


def test_image_count_more_than_with_fewer_images_expires_nothing() -> None:
    images = [image("sha256:a", ["a"], 3), image("sha256:b", ["b"], 1)]
    assert expired(policy(rule(1, "any", "imageCountMoreThan", 2)), images) == {}


def test_since_image_pushed_expires_images_older_than_the_days() -> None:
    images = [image("sha256:old", ["a"], 15), image("sha256:edge", ["b"], 13.9), image("sha256:new", ["c"], 1)]
    assert expired(policy(rule(1, "any", "sinceImagePushed", 14)), images) == {"sha256:old": 1}


def test_tag_prefix_list_needs_every_prefix_on_some_tag() -> None:
    images = [
        image("sha256:prod-old", ["prod-1"], 9),
        image("sha256:both", ["prod-2", "beta-2"], 8),
        image("sha256:beta", ["beta-1"], 7),
        image("sha256:untagged", [], 20),
    ]
    single = expired(policy(rule(1, "tagged", "sinceImagePushed", 1, tagPrefixList=["prod"])), images)
    assert single == {"sha256:prod-old": 1, "sha256:both": 1}
    both = expired(policy(rule(1, "tagged", "sinceImagePushed", 1, tagPrefixList=["prod", "beta"])), images)
    assert both == {"sha256:both": 1}


def test_tag_pattern_list_matches_whole_tags_with_wildcards() -> None:
    images = [image("sha256:a", ["prod1"], 5), image("sha256:b", ["preprod"], 5), image("sha256:c", ["prod"], 5)]
    result = expired(policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["prod*"])), images)
    assert result == {"sha256:a": 1, "sha256:c": 1}


def test_untagged_rule_touches_only_untagged_images() -> None:
    images = [image("sha256:u1", [], 5), image("sha256:u2", [], 4), image("sha256:t", ["v1"], 6)]
    result = expired(policy(rule(1, "untagged", "imageCountMoreThan", 1)), images)
    assert result == {"sha256:u1": 1}


def test_rules_apply_in_priority_order_and_an_image_goes_by_one_rule_only() -> None:
    # ECR's documented example: rule 1 keeps one prod image, rule 2 keeps one beta
    # image. Rule 2 counts A and B too, but B meets rule 1's tagging requirements,
    # so only rule 1 could expire it: only A goes (by rule 1).
    images = [
        image("sha256:A", ["beta-1", "prod-1"], 10),
        image("sha256:B", ["beta-2", "prod-2"], 9),
        image("sha256:C", ["beta-3"], 8),
    ]
    text = policy(
        rule(2, "tagged", "imageCountMoreThan", 1, tagPrefixList=["beta"]),  # listed first, applied second
        rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["prod"]),
    )
    assert expired(text, images) == {"sha256:A": 1}


def test_a_higher_rule_protects_what_it_selects_from_an_any_rule() -> None:
    images = [
        image("sha256:release", ["release-1"], 100),
        image("sha256:dev-old", ["dev-1"], 50),
        image("sha256:dev-new", ["dev-2"], 1),
    ]
    text = policy(
        rule(1, "tagged", "imageCountMoreThan", 10, tagPrefixList=["release"]),
        rule(2, "any", "sinceImagePushed", 30),
    )
    assert expired(text, images) == {"sha256:dev-old": 2}


def test_images_pushed_at_the_same_moment_keep_the_given_order() -> None:
    images = [image("sha256:first", ["a"], 1), image("sha256:second", ["b"], 1)]
    assert expired(policy(rule(1, "any", "imageCountMoreThan", 1)), images) == {"sha256:first": 1}


def test_evaluation_takes_parsed_rules_too() -> None:
    rules = [LifecycleRule(priority=1, tag_status="any", count_type="imageCountMoreThan", count_number=1)]
    images = [image("sha256:a", ["a"], 2), image("sha256:b", ["b"], 1)]
    assert evaluate_lifecycle_policy(rules, images, NOW) == {"sha256:a": 1}


# -- validation -------------------------------------------------------------------


def test_a_valid_policy_parses_into_rules_by_priority() -> None:
    rules = parse_lifecycle_policy(
        policy(
            rule(5, "any", "sinceImagePushed", 30),
            rule(1, "untagged", "imageCountMoreThan", 3),
            rule(2, "tagged", "imageCountMoreThan", 10, tagPrefixList=["v"]),
        )
    )
    assert [(r.priority, r.tag_status) for r in rules] == [(1, "untagged"), (2, "tagged"), (5, "any")]
    assert rules[2].count_unit == "days"


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ([], "array is too short"),
        ([{"selection": {}, "action": {"type": "expire"}}], 'missing required properties (["rulePriority"])'),
        ([{**rule(1, "any", "imageCountMoreThan", 1), "extra": 1}], 'not allowed by the schema: (["extra"])'),
        ([rule(0, "any", "imageCountMoreThan", 1)], "lower than the required minimum (minimum: 1, found: 0)"),
        ([rule("1", "any", "imageCountMoreThan", 1)], 'allowed: ["integer"]'),
        ([rule(1, "sometimes", "imageCountMoreThan", 1)], 'instance value ("sometimes") not found in enum'),
        ([rule(1, "any", "imageCountLessThan", 1)], 'instance value ("imageCountLessThan") not found in enum'),
        ([rule(1, "any", "imageCountMoreThan", 0)], "found: 0"),
        ([rule(1, "any", "sinceImagePushed", 3, countUnit="weeks")], 'instance value ("weeks")'),
        ([rule(1, "any", "imageCountMoreThan", 3, countUnit="days")], "countUnit is only allowed"),
        ([{**rule(1, "any", "imageCountMoreThan", 1), "action": {"type": "delete"}}], 'instance value ("delete")'),
        ([rule(1, "tagged", "imageCountMoreThan", 1)], "tagPrefixList or tagPatternList is required"),
        ([rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=[])], "array is too short"),
        ([rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["a"], tagPatternList=["b*"])], "not both"),
        ([rule(1, "untagged", "imageCountMoreThan", 1, tagPrefixList=["a"])], "tagPrefixList is only allowed"),
        ([rule(1, "tagged", "imageCountMoreThan", 1, tagPatternList=["*a*b*c*d*e"])], "more than 4 wildcards"),
        ([rule(1, "any", "imageCountMoreThan", 1), rule(1, "untagged", "imageCountMoreThan", 1)], "rulePriority 1"),
        (
            [rule(1, "untagged", "imageCountMoreThan", 1), rule(2, "untagged", "sinceImagePushed", 1)],
            "only one rule may select untagged images",
        ),
        (
            [rule(1, "any", "imageCountMoreThan", 5), rule(2, "untagged", "imageCountMoreThan", 1)],
            "must have the highest rulePriority",
        ),
    ],
)
def test_invalid_policies_are_refused_naming_the_problem(rules: list, problem: str) -> None:
    text = json.dumps({"rules": rules}).ljust(120)  # past ECR's 100-character minimum
    with pytest.raises(InvalidParameter) as caught:
        parse_lifecycle_policy(text)
    assert caught.value.code == "InvalidParameterException"
    assert caught.value.message.startswith(
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
        "'Lifecycle policy validation failure: "
    )
    assert problem in caught.value.message


@pytest.mark.parametrize("text", ["{" + " " * 120, '["rules"]' + " " * 120, '{"policy": 1}' + " " * 120])
def test_text_that_is_not_a_policy_object_is_refused(text: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_lifecycle_policy(text)
    assert caught.value.code == "InvalidParameterException"


def test_policy_text_length_is_ecrs() -> None:
    with pytest.raises(InvalidParameter) as short:
        parse_lifecycle_policy('{"rules": []}')
    assert "greater than or equal to 100" in short.value.message
    with pytest.raises(InvalidParameter) as long:
        parse_lifecycle_policy(" " * 30721)
    assert "less than or equal to 30720" in long.value.message


# -- the facet's policy operations (no engine needed) ----------------------------------


def test_put_get_delete_lifecycle_policy(backend: LocalBackend) -> None:
    ecr = backend.ecr
    ecr.create_repository(repository_name="team/web")
    with pytest.raises(ComputeError) as missing:
        ecr.get_lifecycle_policy("team/web")
    assert missing.value.code == "LifecyclePolicyNotFoundException"
    assert missing.value.message == (
        "Lifecycle policy does not exist for the repository with name 'team/web' in the registry with id '000000000000'"
    )
    text = policy(rule(1, "untagged", "sinceImagePushed", 1))
    put = ecr.put_lifecycle_policy("team/web", text)
    assert (put.repository_name, put.registry_id, put.lifecycle_policy_text) == ("team/web", "000000000000", text)
    assert ecr.get_lifecycle_policy("team/web").lifecycle_policy_text == text
    with pytest.raises(InvalidParameter):
        ecr.put_lifecycle_policy("team/web", policy(rule(1, "untagged", "sinceImagePushed", 0)))
    assert ecr.get_lifecycle_policy("team/web").lifecycle_policy_text == text  # a bad policy changes nothing
    assert ecr.delete_lifecycle_policy("team/web").lifecycle_policy_text == text
    with pytest.raises(ComputeError) as gone:
        ecr.delete_lifecycle_policy("team/web")
    assert gone.value.code == "LifecyclePolicyNotFoundException"
    with pytest.raises(ComputeError) as no_repo:
        ecr.put_lifecycle_policy("nope/nope", text)
    assert no_repo.value.code == "RepositoryNotFoundException"


def test_apply_with_no_images_expires_nothing_and_records_when(backend: LocalBackend, clock: FixedClock) -> None:
    ecr = backend.ecr
    ecr.create_repository(repository_name="empty")
    ecr.put_lifecycle_policy("empty", policy(rule(1, "any", "imageCountMoreThan", 1)))
    assert ecr.apply_lifecycle_policies() == []
    assert ecr.get_lifecycle_policy("empty").last_evaluated_at == clock.now()


def test_deleting_a_repository_deletes_its_policy(backend: LocalBackend) -> None:
    ecr = backend.ecr
    ecr.create_repository(repository_name="gone")
    ecr.put_lifecycle_policy("gone", policy(rule(1, "any", "imageCountMoreThan", 1)))
    ecr.delete_repository("gone")
    ecr.create_repository(repository_name="gone")
    with pytest.raises(ComputeError) as caught:
        ecr.get_lifecycle_policy("gone")
    assert caught.value.code == "LifecyclePolicyNotFoundException"
