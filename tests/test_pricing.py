"""What things cost, from AWS's published us-east-1 prices."""

from __future__ import annotations

import pytest

from computetui import pricing


def test_lambda_bills_per_millisecond_rounded_up() -> None:
    assert pricing.lambda_billed_ms(12.01) == 13
    assert pricing.lambda_billed_ms(0.2) == 1


def test_one_lambda_invocation_costs_the_request_plus_its_gb_seconds() -> None:
    # 128 MB for 100 ms = 0.0125 GB-s.
    cost = pricing.lambda_invocation_cost(100, 128)
    assert cost == pytest.approx(0.0000002 + 0.0125 * 0.0000166667)
    assert pricing.lambda_invocation_cost(100, 128, "arm64") < cost


def test_the_lambda_free_tier_covers_a_million_requests_and_400000_gb_seconds() -> None:
    inside = pricing.lambda_monthly_cost(1_000_000, 400_000)
    assert inside.total == 0
    over = pricing.lambda_monthly_cost(3_000_000, 460_000)
    assert over.request_cost == pytest.approx(0.40)
    assert over.compute_cost == pytest.approx(60_000 * 0.0000166667)


def test_fargate_bills_by_the_second_with_a_one_minute_minimum() -> None:
    assert pricing.fargate_task_cost(1024, 2048, 10) == pricing.fargate_task_cost(1024, 2048, 60)
    hour = pricing.fargate_task_cost(1024, 2048, 3600)
    assert hour == pytest.approx(0.04048 + 2 * 0.004445)


def test_lightsail_is_hourly_up_to_the_monthly_price() -> None:
    assert pricing.lightsail_cost("nano_3_0", 73) == pytest.approx(0.5)
    assert pricing.lightsail_cost("nano_3_0", 10_000) == 5.0


def test_usd_formatting() -> None:
    assert pricing.usd(0) == "$0.00"
    assert pricing.usd(12.5) == "$12.50"
    assert pricing.usd(0.0000021) == "$0.0000021"
