"""What a workload would cost on AWS (us-east-1, on-demand, US dollars).

Pure functions over the published prices. Every price the console shows comes
from here, so a price lives in exactly one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

# --- Lambda -----------------------------------------------------------------
LAMBDA_PRICE_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PRICE_PER_GB_SECOND = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
LAMBDA_FREE_REQUESTS_PER_MONTH = 1_000_000
LAMBDA_FREE_GB_SECONDS_PER_MONTH = 400_000

# --- Fargate (Linux) ---------------------------------------------------------
FARGATE_PRICE_PER_VCPU_HOUR = {"X86_64": 0.04048, "ARM64": 0.03238}
FARGATE_PRICE_PER_GB_HOUR = {"X86_64": 0.004445, "ARM64": 0.00356}
FARGATE_MINIMUM_SECONDS = 60


FARGATE_SPOT_DISCOUNT = 0.70
"""Fargate Spot runs at up to 70% off Fargate's price (AWS's pricing page; the rate moves)."""

# --- EC2 (Linux, on-demand), for a Batch job's share of its instance ----------
EC2_PRICE_PER_HOUR = {"m5.large": 0.096}
"""The instance a Batch EC2 environment's ``optimal`` choice is priced as: 2 vCPUs, 8 GiB."""
EC2_SHARE_INSTANCE = ("m5.large", 2, 8192)
EC2_SPOT_DISCOUNT = 0.70
"""Spot instances run up to 90% off on-demand; 70% is a typical figure (unverified; it moves)."""


# --- ECR, API Gateway, EKS ----------------------------------------------------
ECR_STORAGE_PER_GB_MONTH = 0.10
APIGW_HTTP_PER_MILLION = 1.00
APIGW_REST_PER_MILLION = 3.50
APIGW_REST_FIRST_TIER_MILLIONS = 333
EKS_CLUSTER_PER_HOUR = 0.10


@dataclass(frozen=True)
class LightsailBundlePrice:
    bundle_id: str
    name: str
    monthly_usd: float
    cpu_count: int
    ram_gb: float
    disk_gb: int
    transfer_gb: int


# Linux bundles with a public IPv4 address; billed hourly up to the monthly price.
LIGHTSAIL_BUNDLES: tuple[LightsailBundlePrice, ...] = (
    LightsailBundlePrice("nano_3_0", "Nano", 5.0, 2, 0.5, 20, 1024),
    LightsailBundlePrice("micro_3_0", "Micro", 7.0, 2, 1.0, 40, 2048),
    LightsailBundlePrice("small_3_0", "Small", 12.0, 2, 2.0, 60, 3072),
    LightsailBundlePrice("medium_3_0", "Medium", 24.0, 2, 4.0, 80, 4096),
    LightsailBundlePrice("large_3_0", "Large", 44.0, 2, 8.0, 160, 5120),
    LightsailBundlePrice("xlarge_3_0", "XLarge", 84.0, 4, 16.0, 320, 6144),
    LightsailBundlePrice("2xlarge_3_0", "2XLarge", 164.0, 8, 32.0, 640, 7168),
)
HOURS_PER_MONTH = 730
LIGHTSAIL_STATIC_IP_DETACHED_PER_HOUR = 0.005
"""A static IP not attached to an instance is billed (AWS: $0.005 an hour); attached, it is free."""


@dataclass(frozen=True)
class LightsailPowerPrice:
    """A container service's power: per node, billed hourly up to the monthly price."""

    power: str
    power_id: str
    monthly_usd: float
    cpu_count: float
    ram_gb: float


# The figures after nano (whose vCPU and memory FIDELITY states) are AWS's pricing page as
# remembered, unverified here.
LIGHTSAIL_POWERS: tuple[LightsailPowerPrice, ...] = (
    LightsailPowerPrice("nano", "nano-1", 7.0, 0.25, 0.5),
    LightsailPowerPrice("micro", "micro-1", 10.0, 0.25, 1.0),
    LightsailPowerPrice("small", "small-1", 25.0, 0.5, 2.0),
    LightsailPowerPrice("medium", "medium-1", 50.0, 1.0, 4.0),
    LightsailPowerPrice("large", "large-1", 100.0, 2.0, 8.0),
    LightsailPowerPrice("xlarge", "xlarge-1", 200.0, 4.0, 16.0),
)


def lambda_billed_ms(duration_ms: float) -> int:
    """Lambda bills each invocation's duration rounded up to the next millisecond."""
    return max(1, math.ceil(duration_ms))


def lambda_invocation_cost(billed_ms: int, memory_mb: int, architecture: str = "x86_64") -> float:
    """One invocation, ignoring the free tier: the request plus its GB-seconds."""
    gb_seconds = (memory_mb / 1024) * (billed_ms / 1000)
    return LAMBDA_PRICE_PER_REQUEST + gb_seconds * LAMBDA_PRICE_PER_GB_SECOND[architecture]


@dataclass(frozen=True)
class LambdaMonthlyCost:
    """A month of Lambda use and what it costs on AWS after the free tier: what the local emulator
    counts, what the aws backend reads from CloudWatch, what the header's meter shows."""

    requests: int
    gb_seconds: float
    request_cost: float
    compute_cost: float
    free_requests_used: int
    free_gb_seconds_used: float

    @property
    def total(self) -> float:
        return self.request_cost + self.compute_cost


def lambda_monthly_cost(requests: int, gb_seconds: float, architecture: str = "x86_64") -> LambdaMonthlyCost:
    """A month of Lambda use after the free tier (1M requests, 400,000 GB-s)."""
    free_requests = min(requests, LAMBDA_FREE_REQUESTS_PER_MONTH)
    free_gbs = min(gb_seconds, LAMBDA_FREE_GB_SECONDS_PER_MONTH)
    return LambdaMonthlyCost(
        requests=requests,
        gb_seconds=gb_seconds,
        request_cost=(requests - free_requests) * LAMBDA_PRICE_PER_REQUEST,
        compute_cost=(gb_seconds - free_gbs) * LAMBDA_PRICE_PER_GB_SECOND[architecture],
        free_requests_used=free_requests,
        free_gb_seconds_used=free_gbs,
    )


def fargate_task_cost(cpu_units: int, memory_mib: int, seconds: float, architecture: str = "X86_64") -> float:
    """A Fargate task's cost: billed per second with a one-minute minimum."""
    billed_hours = max(seconds, FARGATE_MINIMUM_SECONDS) / 3600
    vcpu = cpu_units / 1024
    gb = memory_mib / 1024
    return billed_hours * (
        vcpu * FARGATE_PRICE_PER_VCPU_HOUR[architecture] + gb * FARGATE_PRICE_PER_GB_HOUR[architecture]
    )


def fargate_monthly_cost(cpu_units: int, memory_mib: int, architecture: str = "X86_64") -> float:
    """One task of this size running the whole month."""
    return fargate_task_cost(cpu_units, memory_mib, HOURS_PER_MONTH * 3600, architecture)


@dataclass(frozen=True)
class BatchJobCost:
    """What a Batch job's attempts would have cost on AWS, and how that was worked out."""

    usd: float
    basis: str
    """In words: ``Fargate: 0.25 vCPU, 0.5 GB for 61 s`` or ``EC2 m5.large share 1/2 for 2 min``."""
    spot: bool = False


def batch_job_cost(provisioning: str, vcpus: float, memory_mib: int, seconds: float) -> BatchJobCost:
    """A Batch job's cost on AWS. Batch itself is free: a Fargate job pays Fargate's per-second
    price (one-minute minimum) for its vCPUs and memory; an EC2 job pays its share of the
    instance it runs on (the larger of its vCPU and memory shares of an m5.large), per second.
    ``provisioning`` is the compute environment's type: EC2, SPOT, FARGATE or FARGATE_SPOT."""
    seconds = max(0.0, seconds)
    spot = provisioning in ("SPOT", "FARGATE_SPOT")
    if provisioning in ("FARGATE", "FARGATE_SPOT"):
        amount = fargate_task_cost(int(vcpus * 1024), memory_mib, seconds)
        if spot:
            amount *= 1 - FARGATE_SPOT_DISCOUNT
        basis = f"Fargate{' Spot' if spot else ''}: {vcpus:g} vCPU, {memory_mib / 1024:g} GB for {seconds:.0f} s"
        return BatchJobCost(amount, basis + (" (1 min minimum)" if seconds < FARGATE_MINIMUM_SECONDS else ""), spot)
    instance, instance_vcpus, instance_mib = EC2_SHARE_INSTANCE
    share = min(1.0, max(vcpus / instance_vcpus, memory_mib / instance_mib))
    amount = EC2_PRICE_PER_HOUR[instance] * share * seconds / 3600
    if spot:
        amount *= 1 - EC2_SPOT_DISCOUNT
    basis = f"{'Spot' if spot else 'EC2'} {instance} share {share:.0%} for {seconds:.0f} s"
    return BatchJobCost(amount, basis, spot)


def lightsail_bundle(bundle_id: str) -> LightsailBundlePrice | None:
    return next((b for b in LIGHTSAIL_BUNDLES if b.bundle_id == bundle_id), None)


def lightsail_cost(bundle_id: str, hours: float) -> float:
    """Hourly billing, capped at the bundle's monthly price."""
    bundle = lightsail_bundle(bundle_id)
    if bundle is None:
        raise KeyError(bundle_id)
    return min(bundle.monthly_usd, bundle.monthly_usd / HOURS_PER_MONTH * hours)


def lightsail_power(power: str) -> LightsailPowerPrice | None:
    return next((p for p in LIGHTSAIL_POWERS if p.power == power), None)


def lightsail_hours(monthly_usd: float, hours: float) -> float:
    """Lightsail's billing: by the hour (a started hour counts), capped at the monthly price."""
    return min(monthly_usd, monthly_usd / HOURS_PER_MONTH * math.ceil(max(hours, 0.0)))


def lightsail_month_so_far(monthly_usd: float, since: datetime, now: datetime) -> float:
    """What a Lightsail resource that exists (stopped or not) since ``since`` has cost in ``now``'s
    calendar month: its hours this month at the hourly rate, up to the monthly price."""
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = max(since, month_start)
    return lightsail_hours(monthly_usd, (now - start).total_seconds() / 3600) if now > start else 0.0


def usd(amount: float) -> str:
    """A price for people: cents for big sums, more digits for tiny ones."""
    if amount == 0:
        return "$0.00"
    if amount >= 0.01:
        return f"${amount:,.2f}"
    return f"${amount:.8f}".rstrip("0")
