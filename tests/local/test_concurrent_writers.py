"""Two processes on one state dir calling at once, from several threads each: what one process
reads and then writes on is still so when it writes (issue 10, finding 4)."""

from __future__ import annotations

from pathlib import Path

from tests.support import lost_updates as lu


def test_tags_pushed_from_two_processes_at_once_are_all_on_the_image(tmp_path: Path) -> None:
    state_dir = str(tmp_path)
    lu.make_repository(state_dir)
    reports = lu.run_two(lu.ecr_tags_worker, state_dir, 25)

    acknowledged = {tag for r in reports for tag in r["acknowledged"]}
    assert len(acknowledged) == 2 * lu.THREADS * 25
    backend = lu.open_backend(state_dir)
    try:
        [image] = backend.ecr.describe_images(lu.REPOSITORY)
    finally:
        backend.close()
    assert acknowledged - set(image.image_tags) == set()


def test_two_processes_placing_tasks_at_once_never_overfill_an_instance(tmp_path: Path) -> None:
    state_dir = str(tmp_path)
    lu.make_cluster(state_dir)
    reports = lu.run_two(lu.ecs_placement_worker, state_dir, 2 * lu.FITS)

    placed = [arn for r in reports for arn in r["placed"]]
    assert len(placed) == lu.FITS  # all the room taken, and not one task more
    backend = lu.open_backend(state_dir)
    try:
        assert sorted(backend.ecs.list_tasks(cluster=lu.CLUSTER, desired_status="RUNNING")) == sorted(placed)
    finally:
        backend.close()
