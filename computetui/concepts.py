"""A short concept card per service: what it is, when to pick it, how it is billed.

Written for people learning the services as much as for people running them.
Prices come from :mod:`computetui.pricing`, never typed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from computetui import pricing as p


@dataclass(frozen=True)
class ConceptCard:
    service: str
    title: str
    what: str
    choose_when: str
    pricing: str


def _lambda_pricing() -> str:
    per_million = p.LAMBDA_PRICE_PER_REQUEST * 1_000_000
    x86 = p.LAMBDA_PRICE_PER_GB_SECOND["x86_64"]
    arm = p.LAMBDA_PRICE_PER_GB_SECOND["arm64"]
    return (
        f"${per_million:.2f} per million requests, plus ${x86:.10f}".rstrip("0")
        + f" per GB-second on x86_64 (${arm:.10f}".rstrip("0")
        + " on arm64), measured in 1 ms steps. Each month the first "
        f"{p.LAMBDA_FREE_REQUESTS_PER_MONTH:,} requests and {p.LAMBDA_FREE_GB_SECONDS_PER_MONTH:,} "
        "GB-seconds are free. Memory is the price dial: doubling it doubles the cost per "
        "millisecond, but the extra CPU it brings often halves the milliseconds."
    )


def _fargate_pricing() -> str:
    vcpu = p.FARGATE_PRICE_PER_VCPU_HOUR["X86_64"]
    gb = p.FARGATE_PRICE_PER_GB_HOUR["X86_64"]
    smallest = p.fargate_monthly_cost(256, 512)
    return (
        "ECS itself is free. With Fargate you pay for each task's vCPU and memory from image "
        f"pull to stop, by the second (one minute minimum): ${vcpu} per vCPU-hour and ${gb} per "
        f"GB-hour; the smallest task (0.25 vCPU, 0.5 GB) running all month is about ${smallest:.2f}. "
        "With the EC2 launch type you pay for the instances instead, whether tasks fill them or not."
    )


def _lightsail_pricing() -> str:
    cheapest = p.LIGHTSAIL_BUNDLES[0]
    biggest = p.LIGHTSAIL_BUNDLES[-1]
    power = p.LIGHTSAIL_POWERS[0]
    return (
        f"A fixed monthly price per bundle, from ${cheapest.monthly_usd:.0f} ({cheapest.ram_gb:g} GB "
        f"memory, {cheapest.disk_gb} GB disk, {cheapest.transfer_gb // 1024} TB transfer) to "
        f"${biggest.monthly_usd:.0f} ({biggest.ram_gb:g} GB). Billed by the hour while the instance "
        "exists (stopped or not), never above the monthly price. Container services cost "
        f"from ${power.monthly_usd:.0f} a node a month ({power.power}: {power.cpu_count:g} vCPU, "
        f"{power.ram_gb:g} GB), times the scale."
    )


CARDS: dict[str, ConceptCard] = {
    "ecs": ConceptCard(
        service="ecs",
        title="Elastic Container Service",
        what=(
            "Runs Docker containers for you. A task definition describes the containers; a task is "
            "one running copy; a service keeps a number of tasks alive, replaces any that die and "
            "can sit behind a load balancer. Each task runs either on Fargate (AWS finds the "
            "capacity) or on EC2 instances you register with the cluster (you own the capacity)."
        ),
        choose_when=(
            "Your program is already a container image and runs for a long time, like a web "
            "server or a worker. Pick Fargate to forget about servers; pick EC2 to fill big or "
            "special instances (GPUs, lots of memory) and pay less at steady load. Lambda suits "
            "short event-driven bursts better; Batch suits jobs that start, crunch and end."
        ),
        pricing=_fargate_pricing(),
    ),
    "ecr": ConceptCard(
        service="ecr",
        title="Elastic Container Registry",
        what=(
            "A private Docker registry inside your account: repositories of images, each image "
            "known by its tags and its sha256 digest. ECS, Batch, EKS and Lambda (container "
            "images) pull from it. Lifecycle policies expire old or untagged images; tags can be "
            "made immutable so a tag always means the same image."
        ),
        choose_when=(
            "You want your images next to where they run, under your account's access control, "
            "instead of on a public hub. Use it as the 'push' step of every container pipeline."
        ),
        pricing=(
            f"Storage at ${p.ECR_STORAGE_PER_GB_MONTH:.2f} per GB-month, plus data transferred out of "
            "the region. Pulling into ECS, Lambda or Batch in the same region costs nothing extra."
        ),
    ),
    "lambda": ConceptCard(
        service="lambda",
        title="Lambda",
        what=(
            "Functions as a service: you upload code and a handler, AWS runs it when an event "
            "arrives and scales by running more copies. Each copy is an execution environment: "
            "the first request pays a cold start (the runtime and your code load), later ones "
            "reuse it warm. A run may last at most 15 minutes, with 128 MB to 10 GB of memory; "
            "CPU grows with memory (1,769 MB buys one full vCPU)."
        ),
        choose_when=(
            "Work arrives as events (an HTTP call through API Gateway, a file landing, a queue "
            "message, a schedule) and each piece finishes in seconds. For long or continuous "
            "work, or an arbitrary container image, choose ECS/Fargate or Batch."
        ),
        pricing=_lambda_pricing(),
    ),
    "apigw": ConceptCard(
        service="apigw",
        title="API Gateway",
        what=(
            "The managed front door for HTTP APIs: routes, stages, throttling, API keys, "
            "authorizers and caching, with Lambda functions or other HTTP services behind it. "
            "REST APIs (v1) have the most features; HTTP APIs (v2) are simpler, faster and "
            "cheaper; WebSocket APIs keep connections open for two-way messages."
        ),
        choose_when=(
            "You want to expose functions as a public API without running a web server, with "
            "rate limits and auth handled for you. A plain load balancer is cheaper when you only "
            "need to spread traffic over containers."
        ),
        pricing=(
            f"Per request: HTTP APIs ${p.APIGW_HTTP_PER_MILLION:.2f} per million, REST APIs "
            f"${p.APIGW_REST_PER_MILLION:.2f} per million (first {p.APIGW_REST_FIRST_TIER_MILLIONS} "
            "million a month), WebSocket APIs per message and connection-minute. Caching is billed "
            "by the hour."
        ),
    ),
    "batch": ConceptCard(
        service="batch",
        title="Batch",
        what=(
            "Runs jobs: containers that start, do a piece of work and exit. You submit jobs to a "
            "queue; Batch places them on compute environments (EC2, Spot or Fargate capacity it "
            "scales up and down within maxvCpus). Jobs can depend on each other, fan out as "
            "arrays of up to 10,000 children and retry up to 10 times."
        ),
        choose_when=(
            "The work has a beginning and an end but may run longer than Lambda's 15 minutes, "
            "needs more disk or a custom image, or comes in big waves. Lambda is simpler for "
            "short tasks; ECS services suit programs that never finish. Try it: open a queue and "
            "press c. An array size of 5 runs five children, each told its AWS_BATCH_JOB_ARRAY_INDEX; "
            "a command of sleep 1200 outlives Lambda's 15 minutes and still succeeds; more jobs than "
            "the environment's maxvCpus hold wait RUNNABLE until capacity frees (s steps through the states)."
        ),
        pricing=(
            "Batch adds no charge: you pay for the EC2 instances or Fargate tasks it starts, only "
            "while they run. Spot capacity makes interruptible jobs far cheaper."
        ),
    ),
    "lightsail": ConceptCard(
        service="lightsail",
        title="Lightsail",
        what=(
            "Virtual servers with the storage, networking and DNS already wired, from ready "
            "blueprints (WordPress, LAMP, Nginx, Node.js, or a bare OS), plus container services: "
            "an image behind an HTTPS address on a fixed number of nodes. The simple end of AWS: "
            "instances, snapshots, static IPs, a firewall per instance and a few metrics, without "
            "VPCs, load balancer rules or auto scaling."
        ),
        choose_when=(
            "Pick it over EC2 when one or a few long-running servers will do and a known monthly "
            "bill matters more than choice: a bundle includes its disk and a large transfer "
            "allowance that EC2 bills apart. Pick it over ECS for one small containerised site "
            "that needs an address and nothing else, and over Lambda when the work runs all day "
            "(a busy site, a game server) or needs a real machine. It stops being the answer when "
            "traffic comes in bursts (Lambda and Fargate cost nothing idle; a bundle costs the "
            "same asleep or busy), when you need scaling on load, many instance types, IAM roles "
            "on the machine or deep ties to other AWS services: then EC2, ECS or Lambda."
        ),
        pricing=_lightsail_pricing(),
    ),
    "eks": ConceptCard(
        service="eks",
        title="Elastic Kubernetes Service",
        what=(
            "A managed Kubernetes control plane. Your pods run on EC2 nodes (managed node groups) "
            "or on Fargate. You work with it through kubectl and Kubernetes tools; this console "
            "lists clusters and node groups read-only."
        ),
        choose_when=(
            "You already run Kubernetes, or need its ecosystem and portability across clouds. "
            "ECS does the same job with fewer moving parts when you are all-in on AWS."
        ),
        pricing=(
            f"${p.EKS_CLUSTER_PER_HOUR:.2f} per cluster-hour for the control plane (about "
            f"${p.EKS_CLUSTER_PER_HOUR * p.HOURS_PER_MONTH:.0f} a month), plus the EC2 nodes or "
            "Fargate pods that run your workloads."
        ),
    ),
}


def card(service: str) -> ConceptCard:
    return CARDS[service]
