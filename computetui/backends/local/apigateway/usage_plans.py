"""REST APIs' API keys and usage plans in the local emulator, mixed into ``LocalApiGateway``.

A method with ``apiKeyRequired`` answers only a request whose ``x-api-key`` is an enabled key
of a usage plan that covers the API's stage; the plan's throttle (a token bucket per key) and
quota (requests per key per UTC day, week or month) are then the gateway's to keep
(:mod:`.gateway`): over them, 429.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.backends.errors import Conflict, NotFound
from computetui.backends.local.apigateway.records import API_KEY, REST_API, REST_STAGE, USAGE_PLAN, key
from computetui.backends.rules import apigateway as rules
from computetui.backends.rules.validation import validated
from computetui.models import apigateway as m

if TYPE_CHECKING:
    from datetime import datetime

    from computetui.backends.local.ids import Ids
    from computetui.backends.local.state import StateStore

KEYS = "_keys"
"""A usage plan's record: the ids of its API keys."""



class UsagePlans:
    if TYPE_CHECKING:
        store: StateStore
        ids: Ids
        now: datetime

    # -- API keys ----------------------------------------------------------------------------------
    @validated(rules.CREATE_API_KEY)
    def create_api_key(self, name: str, *, enabled: bool | None = None, value: str | None = None,
                       description: str | None = None) -> m.ApiKey:
        if value is not None and any(k.get("value") == value for k in self.store.list(API_KEY)):
            raise Conflict("API Key value already exists", code="ConflictException")
        made = m.ApiKey(id=self.ids.alnum(10), name=name, value=value or self.ids.alnum(40), description=description,
                        enabled=True if enabled is None else enabled, created_date=self.now)
        self.store.put(API_KEY, made.id, made.to_aws(), name=name)
        return made

    def get_api_keys(self, include_values: bool = False) -> list[m.ApiKey]:
        keys = [m.ApiKey.model_validate(b) for b in self.store.list(API_KEY)]
        return keys if include_values else [k.model_copy(update={"value": None}) for k in keys]

    @validated(rules.API_KEY)
    def delete_api_key(self, api_key: str) -> None:
        with self.store.transaction():
            if not self.store.delete(API_KEY, api_key):
                raise NotFound("Invalid API Key identifier specified", code="NotFoundException")
            for plan in self.store.list(USAGE_PLAN):
                if api_key in plan.get(KEYS, []):
                    self.store.update(USAGE_PLAN, plan["id"], lambda b: {
                        **b, KEYS: [k for k in b.get(KEYS, []) if k != api_key]})

    # -- usage plans ---------------------------------------------------------------------------------
    @validated(rules.CREATE_USAGE_PLAN)
    def create_usage_plan(self, name: str, *, description: str | None = None,
                          api_stages: list[dict[str, Any]] | None = None, throttle: dict[str, Any] | None = None,
                          quota: dict[str, Any] | None = None) -> m.UsagePlan:
        for stage in api_stages or []:
            arn = self.ids.apigateway_rest_api(stage["apiId"])
            if self.store.get(REST_API, arn) is None:
                raise NotFound(f"Invalid API identifier specified {self.ids.account}:{stage['apiId']}",
                               code="NotFoundException")
            if self.store.get(REST_STAGE, key(arn, "stages", stage["stage"])) is None:
                raise NotFound(f"Invalid stage identifier specified {stage['stage']}", code="NotFoundException")
        plan = m.UsagePlan(id=self.ids.alnum(6), name=name, description=description,
                           api_stages=[dict(s) for s in api_stages or []],
                           throttle=dict(throttle) if throttle else None, quota=dict(quota) if quota else None)
        body = plan.to_aws()
        body[KEYS] = []
        self.store.put(USAGE_PLAN, plan.id, body, name=name)
        return plan

    def get_usage_plans(self) -> list[m.UsagePlan]:
        return [m.UsagePlan.model_validate(b) for b in self.store.list(USAGE_PLAN)]

    @validated(rules.USAGE_PLAN)
    def delete_usage_plan(self, usage_plan_id: str) -> None:
        if not self.store.delete(USAGE_PLAN, usage_plan_id):
            raise NotFound("Invalid Usage Plan ID specified", code="NotFoundException")

    @validated(rules.CREATE_USAGE_PLAN_KEY)
    def create_usage_plan_key(self, usage_plan_id: str, key_id: str, key_type: str = "API_KEY") -> dict[str, Any]:
        found = self.store.get(API_KEY, key_id)
        if found is None:
            raise NotFound("Invalid API Key identifier specified", code="NotFoundException")

        def added(body: dict[str, Any]) -> dict[str, Any]:
            if key_id in body.get(KEYS, []):
                raise Conflict("Usage Plan already contains specified API key", code="ConflictException")
            body[KEYS] = [*body.get(KEYS, []), key_id]
            return body
        if self.store.update(USAGE_PLAN, usage_plan_id, added) is None:
            raise NotFound("Invalid Usage Plan ID specified", code="NotFoundException")
        return {"id": key_id, "type": key_type, "name": found["name"], "value": found.get("value")}

    @validated(rules.USAGE_PLAN_KEYS)
    def get_usage_plan_keys(self, usage_plan_id: str) -> list[dict[str, Any]]:
        plan = self.store.get(USAGE_PLAN, usage_plan_id)
        if plan is None:
            raise NotFound("Invalid Usage Plan ID specified", code="NotFoundException")
        found = []
        for key_id in plan.get(KEYS, []):
            body = self.store.get(API_KEY, key_id)
            if body is not None:
                found.append({"id": key_id, "type": "API_KEY", "name": body["name"], "value": body.get("value")})
        return found

    @validated(rules.DELETE_USAGE_PLAN_KEY)
    def delete_usage_plan_key(self, usage_plan_id: str, key_id: str) -> None:
        def removed(body: dict[str, Any]) -> dict[str, Any]:
            if key_id not in body.get(KEYS, []):
                raise NotFound("Invalid API Key identifier specified", code="NotFoundException")
            body[KEYS] = [k for k in body[KEYS] if k != key_id]
            return body
        if self.store.update(USAGE_PLAN, usage_plan_id, removed) is None:
            raise NotFound("Invalid Usage Plan ID specified", code="NotFoundException")
