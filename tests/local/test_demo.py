"""The sample workload names one image in its task definitions and its job definition, the one
picked for this engine, and moves definitions a registry-less engine cannot run to it."""

from __future__ import annotations

from computetui.backends.local import LocalBackend
from computetui.backends.local.demo import seed
from computetui.backends.local.sample_image import LOCAL_IMAGE, PUBLIC_IMAGE, SampleImage


class Picks:
    """Stands in for SampleImages: always the same choice, counting the calls."""

    def __init__(self, choice: SampleImage) -> None:
        self.choice = choice
        self.calls = 0

    def choose(self) -> SampleImage:
        self.calls += 1
        return self.choice


MADE = SampleImage(LOCAL_IMAGE, f"Image {LOCAL_IMAGE}, made here from the static busybox at /bin/busybox",
                   offline=True)
PULLED = SampleImage(PUBLIC_IMAGE, f"Image {PUBLIC_IMAGE}: not on the engine and not made here (...)", offline=False)


def images_named(backend: LocalBackend) -> dict[str, str]:
    ecs, batch = backend.ecs, backend.batch
    assert ecs and batch
    named = {f: ecs.describe_task_definition(f).container_definitions[0].image for f in ("web", "worker")}
    report = max(batch.describe_job_definitions(job_definition_name="report", status="ACTIVE"),
                 key=lambda d: d.revision)
    named["report"] = report.container_properties.image  # type: ignore[union-attr]
    return named


def test_the_task_definitions_and_the_job_definition_name_the_image_picked(backend: LocalBackend) -> None:
    picks = Picks(MADE)
    seeded = seed(backend, picks)  # type: ignore[arg-type]
    assert images_named(backend) == {"web": LOCAL_IMAGE, "worker": LOCAL_IMAGE, "report": LOCAL_IMAGE}
    assert picks.calls == 1 and seeded.image == MADE.line and not seeded.image_needs_registry
    assert "ECS task definition web:1 (Fargate, 0.25 vCPU, 0.5 GB)" in seeded.made
    assert "Batch job definition report:1" in seeded.made

    again = seed(backend, picks)  # type: ignore[arg-type]
    assert again.made == [] and again.image is None  # nothing needed an image: none was looked for


def test_a_sample_left_naming_busybox_stable_gets_revisions_with_an_image_had_here(backend: LocalBackend) -> None:
    first = seed(backend, Picks(PULLED))  # type: ignore[arg-type]
    assert images_named(backend) == {"web": PUBLIC_IMAGE, "worker": PUBLIC_IMAGE, "report": PUBLIC_IMAGE}
    assert first.image_needs_registry and first.image == PULLED.line

    still = seed(backend, Picks(PULLED))  # type: ignore[arg-type]
    assert still.made == [] and still.image_needs_registry  # said again: the tasks still need a registry

    moved = seed(backend, Picks(MADE))  # type: ignore[arg-type]
    assert images_named(backend) == {"web": LOCAL_IMAGE, "worker": LOCAL_IMAGE, "report": LOCAL_IMAGE}
    assert moved.made == [
        f"ECS task definition web:2 (Fargate, 0.25 vCPU, 0.5 GB; {LOCAL_IMAGE} rather than {PUBLIC_IMAGE}, "
        "which the engine does not have)",
        f"ECS task definition worker:2 (EC2, bridge; {LOCAL_IMAGE} rather than {PUBLIC_IMAGE}, "
        "which the engine does not have)",
        f"Batch job definition report:2 ({LOCAL_IMAGE} rather than {PUBLIC_IMAGE})",
        # made only now: before, no image to run it could be had here
        f"Lightsail instance demo-web (nginx blueprint on nano_3_0, $5/month; {LOCAL_IMAGE} with busybox httpd, "
        "as nginx:stable is not on the engine)",
    ]
    assert seed(backend, Picks(MADE)).made == []  # type: ignore[arg-type]


def test_a_revision_the_user_made_is_left_alone(backend: LocalBackend) -> None:
    seed(backend, Picks(PULLED))  # type: ignore[arg-type]
    assert backend.ecs
    backend.ecs.register_task_definition({
        "family": "web", "containerDefinitions": [{"name": "web", "image": PUBLIC_IMAGE, "essential": True,
                                                   "command": ["httpd", "-f"], "memory": 128}]})
    moved = seed(backend, Picks(MADE))  # type: ignore[arg-type]
    assert not any(line.startswith("ECS task definition web") for line in moved.made)
    assert backend.ecs.describe_task_definition("web").revision == 2
