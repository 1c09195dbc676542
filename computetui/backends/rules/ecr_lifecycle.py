"""ECR lifecycle policies: the rules ECR documents, validated with ECR's messages, and which
images a policy expires. Pure: no store, no engine.

Validated as ECR does for what it documents: ``expire`` actions with
``imageCountMoreThan`` or ``sinceImagePushed``, selected by tag status, tag
prefixes or tag patterns, at most one ``any`` rule and it last.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from computetui.backends.errors import InvalidParameter
from computetui.models import ecr as m


def pushed_at(image: m.ImageDetail) -> datetime:
    """When the image was pushed; an image without a time counts as the oldest."""
    return image.image_pushed_at or datetime.min.replace(tzinfo=UTC)


TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed")
MAX_PATTERN_WILDCARDS = 4
POLICY_TEXT_MIN, POLICY_TEXT_MAX = 100, 30720


@dataclass(frozen=True)
class LifecycleRule:
    """One rule of an ECR lifecycle policy, validated."""

    priority: int
    tag_status: str
    count_type: str
    count_number: int
    tag_prefixes: tuple[str, ...] = ()
    tag_patterns: tuple[str, ...] = ()
    count_unit: str | None = None
    description: str | None = None

    def selects(self, image: m.ImageDetail) -> bool:
        """Whether the image meets the rule's tagging requirements."""
        tags = image.image_tags
        if self.tag_status == "any":
            return True
        if self.tag_status == "untagged":
            return not tags
        if not tags:
            return False
        # Every prefix (pattern) must match at least one of the image's tags.
        if self.tag_prefixes:
            return all(any(t.startswith(p) for t in tags) for p in self.tag_prefixes)
        return all(any(_pattern_regex(p).fullmatch(t) for t in tags) for p in self.tag_patterns)


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def _policy_error(problem: str) -> InvalidParameter:
    return InvalidParameter(
        f"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
        f"'Lifecycle policy validation failure: {problem}'",
        code="InvalidParameterException",
        field="lifecyclePolicyText",
    )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _type_error(where: str, value: Any, expected: str) -> InvalidParameter:
    return _policy_error(
        f"{where}: instance type ({_json_type(value)}) does not match any allowed primitive type "
        f'(allowed: ["{expected}"])'
    )


def _check_object(where: str, value: Any, required: Sequence[str], allowed: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _type_error(where, value, "object")
    missing = sorted(set(required) - set(value))
    if missing:
        raise _policy_error(f"{where}: object has missing required properties ({json.dumps(missing)})")
    extra = sorted(set(value) - set(allowed))
    if extra:
        raise _policy_error(
            f"{where}: object instance has properties which are not allowed by the schema: ({json.dumps(extra)})"
        )
    return value


def _check_int(where: str, value: Any, minimum: int = 1) -> int:
    if _json_type(value) != "integer":
        raise _type_error(where, value, "integer")
    if value < minimum:
        raise _policy_error(
            f"{where}: numeric instance is lower than the required minimum (minimum: {minimum}, found: {value})"
        )
    return value


def _check_enum(where: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise _policy_error(
            f"{where}: instance value ({json.dumps(value)}) not found in enum "
            f"(possible values: {json.dumps(list(allowed))})"
        )
    return value


def _check_strings(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _type_error(where, value, "array")
    if not value:
        raise _policy_error(f"{where}: array is too short: must have at least 1 elements but instance has 0 elements")
    for item in value:
        if not isinstance(item, str):
            raise _type_error(where, item, "string")
    return tuple(value)


def _parse_rule(index: int, raw: Any) -> LifecycleRule:
    where = f"rules[{index}]"
    rule = _check_object(
        where, raw, ("rulePriority", "selection", "action"), ("rulePriority", "description", "selection", "action")
    )
    priority = _check_int(f"{where}.rulePriority", rule["rulePriority"])
    description = rule.get("description")
    if description is not None and not isinstance(description, str):
        raise _type_error(f"{where}.description", description, "string")
    action = _check_object(f"{where}.action", rule["action"], ("type",), ("type",))
    _check_enum(f"{where}.action.type", action["type"], ("expire",))

    selection = _check_object(
        f"{where}.selection",
        rule["selection"],
        ("tagStatus", "countType", "countNumber"),
        ("tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber"),
    )
    tag_status = _check_enum(f"{where}.selection.tagStatus", selection["tagStatus"], TAG_STATUSES)
    count_type = _check_enum(f"{where}.selection.countType", selection["countType"], COUNT_TYPES)
    count_number = _check_int(f"{where}.selection.countNumber", selection["countNumber"])
    count_unit = selection.get("countUnit")
    if count_type == "sinceImagePushed":
        if count_unit is None:
            raise _policy_error(f"{where}.selection: countUnit is required when countType is sinceImagePushed")
        _check_enum(f"{where}.selection.countUnit", count_unit, ("days",))
    elif count_unit is not None:
        raise _policy_error(f"{where}.selection: countUnit is only allowed when countType is sinceImagePushed")

    prefixes: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    has_prefixes, has_patterns = "tagPrefixList" in selection, "tagPatternList" in selection
    if tag_status == "tagged":
        if has_prefixes and has_patterns:
            raise _policy_error(f"{where}.selection: specify either tagPrefixList or tagPatternList, not both")
        if not (has_prefixes or has_patterns):
            raise _policy_error(
                f"{where}.selection: tagPrefixList or tagPatternList is required when tagStatus is tagged"
            )
        if has_prefixes:
            prefixes = _check_strings(f"{where}.selection.tagPrefixList", selection["tagPrefixList"])
        else:
            patterns = _check_strings(f"{where}.selection.tagPatternList", selection["tagPatternList"])
            for pattern in patterns:
                if pattern.count("*") > MAX_PATTERN_WILDCARDS:
                    raise _policy_error(
                        f"{where}.selection.tagPatternList: '{pattern}' has more than "
                        f"{MAX_PATTERN_WILDCARDS} wildcards (*)"
                    )
    elif has_prefixes or has_patterns:
        field = "tagPrefixList" if has_prefixes else "tagPatternList"
        raise _policy_error(f"{where}.selection: {field} is only allowed when tagStatus is tagged")
    return LifecycleRule(
        priority=priority,
        tag_status=tag_status,
        count_type=count_type,
        count_number=count_number,
        tag_prefixes=prefixes,
        tag_patterns=patterns,
        count_unit=count_unit,
        description=description,
    )


def parse_lifecycle_policy(text: str) -> list[LifecycleRule]:
    """The rules of a lifecycle policy's JSON text, by priority; ``InvalidParameterException`` naming what is wrong."""
    if not isinstance(text, str) or len(text) < POLICY_TEXT_MIN:
        raise InvalidParameter(
            "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: "
            f"'Member must have length greater than or equal to {POLICY_TEXT_MIN}'",
            code="InvalidParameterException",
            field="lifecyclePolicyText",
        )
    if len(text) > POLICY_TEXT_MAX:
        raise InvalidParameter(
            "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: "
            f"'Member must have length less than or equal to {POLICY_TEXT_MAX}'",
            code="InvalidParameterException",
            field="lifecyclePolicyText",
        )
    try:
        document = json.loads(text)
    except ValueError:
        raise _policy_error("Could not map policyString into LifecyclePolicy (it is not valid JSON).") from None
    if not isinstance(document, dict):
        raise _policy_error("Could not map policyString into LifecyclePolicy (it is not a JSON object).")
    _check_object("policy", document, ("rules",), ("rules",))
    if not isinstance(document["rules"], list):
        raise _type_error("rules", document["rules"], "array")
    if not document["rules"]:
        raise _policy_error("rules: array is too short: must have at least 1 elements but instance has 0 elements")
    rules = [_parse_rule(n, raw) for n, raw in enumerate(document["rules"])]

    seen: set[int] = set()
    for rule in rules:
        if rule.priority in seen:
            raise _policy_error(f"rulePriority {rule.priority} is used by more than one rule; each rule needs its own")
        seen.add(rule.priority)
    rules.sort(key=lambda r: r.priority)
    if sum(r.tag_status == "untagged" for r in rules) > 1:
        raise _policy_error("only one rule may select untagged images (tagStatus untagged)")
    highest = rules[-1].priority
    for rule in rules:
        if rule.tag_status == "any" and rule.priority != highest:
            raise _policy_error(
                f"the rule with tagStatus any (rulePriority {rule.priority}) must have the highest rulePriority"
            )
    return rules


def evaluate_lifecycle_policy(
    policy: str | Sequence[LifecycleRule], images: Iterable[m.ImageDetail], now: datetime
) -> dict[str, int]:
    """Which images a lifecycle policy expires at ``now``: ``{imageDigest: rulePriority}``, oldest first.

    As ECR documents it: every rule identifies its images (those meeting its
    tagging requirements, counted whether or not a higher rule expires them);
    rules then act in priority order, oldest images first, and an image is
    expired by at most one rule, never by a rule of lower priority than one
    whose tagging requirements it meets. ``imageCountMoreThan`` keeps the
    newest ``countNumber`` images it identifies; ``sinceImagePushed`` expires
    those pushed more than ``countNumber`` days before ``now``. Images pushed
    at the same moment keep the order given (oldest first).
    """
    rules = parse_lifecycle_policy(policy) if isinstance(policy, str) else sorted(policy, key=lambda r: r.priority)
    ordered = sorted(images, key=pushed_at)  # oldest first; stable for equal times
    expired: dict[str, int] = {}
    claimed: set[str] = set()  # images meeting a higher rule's tagging requirements
    for rule in rules:
        identified = [i for i in ordered if rule.selects(i)]
        if rule.count_type == "imageCountMoreThan":
            candidates = identified[: max(0, len(identified) - rule.count_number)]
        else:
            cutoff = now - timedelta(days=rule.count_number)
            candidates = [i for i in identified if i.image_pushed_at is not None and i.image_pushed_at < cutoff]
        for image in candidates:
            if image.image_digest not in claimed:
                expired[image.image_digest] = rule.priority
        claimed.update(i.image_digest for i in identified)
    return {digest: expired[digest] for digest in (i.image_digest for i in ordered) if digest in expired}
