"""The sample workload's image: found on the engine, made by the emulator, or named for a pull."""

from __future__ import annotations

import io
import struct
import tarfile
from pathlib import Path

import pytest

from computetui.backends.docker.engine import ImageInfo, LocalImage
from computetui.backends.errors import NotFound, Unavailable
from computetui.backends.local.containers import ContainerRunner
from computetui.backends.local.sample_image import (
    LOCAL_IMAGE,
    NEEDS,
    PUBLIC_IMAGE,
    RECIPE_LABEL,
    HostBusybox,
    SampleImages,
    is_static_elf,
    recipe_of,
    rootfs,
)
from computetui.models.common import EngineState, EngineStatus
from tests.conftest import REQUIRE_DOCKER, unavailable

READY = EngineStatus(state=EngineState.READY, host="unix:///var/run/docker.sock", version="27.5.1")
GONE = EngineStatus(state=EngineState.SOCKET_MISSING, host="unix:///var/run/docker.sock",
                    reason="no Docker socket at /var/run/docker.sock: is Docker installed and running?")


class ImageEngine:
    """The engine's image calls over a dict of name -> labels; imports are recorded."""

    def __init__(self, images: dict[str, dict[str, str]] | None = None, status: EngineStatus = READY) -> None:
        self.images = dict(images or {})
        self._status = status
        self.imported: list[tuple[str, bytes, list[str]]] = []
        self.pulled: list[str] = []

    def status(self, refresh: bool = False) -> EngineStatus:
        return self._status

    def image_info(self, reference: str) -> ImageInfo | None:
        labels = self.images.get(reference)
        return None if labels is None else ImageInfo(id="sha256:" + "a" * 64, size=1, labels=labels)

    def image_exists(self, reference: str) -> bool:
        return reference in self.images

    def list_images(self) -> list[LocalImage]:
        return [LocalImage(id=f"sha256:{n:064x}", tags=(name,), size=1, created=0) for n, name in enumerate(self.images)]

    def import_image(self, data: bytes, reference: str, changes: list[str]) -> ImageInfo:
        self.imported.append((reference, data, changes))
        labels = dict(c.removeprefix("LABEL ").split("=", 1) for c in changes if c.startswith("LABEL "))
        self.images[reference] = labels
        return self.image_info(reference)  # type: ignore[return-value]

    def ensure_image(self, reference: str) -> None:
        self.pulled.append(reference)


@pytest.fixture
def busybox(tmp_path: Path) -> HostBusybox:
    binary = tmp_path / "busybox"
    binary.write_bytes(b"\x7fELF a static busybox stands here")
    return HostBusybox(binary, ("busybox", *NEEDS, "wget"))


def found(busybox: HostBusybox):  # noqa: ANN201
    return lambda: (busybox, "")


def none_here():  # noqa: ANN201
    return lambda: (None, "no static busybox on this machine")


def test_busybox_stable_on_the_engine_is_used_as_the_sample_names_it(busybox: HostBusybox) -> None:
    engine = ImageEngine({PUBLIC_IMAGE: {}, "busybox:1.36": {}})
    choice = SampleImages(engine, find_busybox=found(busybox)).choose()  # type: ignore[arg-type]
    assert choice.reference == PUBLIC_IMAGE and choice.offline
    assert choice.line == f"Image {PUBLIC_IMAGE}, on the engine"
    assert engine.imported == []


def test_another_busybox_tag_on_the_engine_is_used_when_busybox_stable_is_not() -> None:
    engine = ImageEngine({"computetui-test/busybox:latest": {}, "busybox:1.36-musl": {}})
    choice = SampleImages(engine, find_busybox=none_here()).choose()  # type: ignore[arg-type]
    assert choice.reference == "busybox:1.36-musl" and choice.offline
    assert "on the engine" in choice.line and f"{PUBLIC_IMAGE} is not" in choice.line


def test_the_emulators_own_image_is_made_from_the_host_busybox_when_the_engine_has_none(
        busybox: HostBusybox) -> None:
    engine = ImageEngine({"computetui-test/busybox:latest": {}})
    choice = SampleImages(engine, find_busybox=found(busybox)).choose()  # type: ignore[arg-type]
    assert choice.reference == LOCAL_IMAGE and choice.offline
    assert choice.line.startswith(f"Image {LOCAL_IMAGE}, made here from the static busybox at {busybox.path}")
    [(reference, data, changes)] = engine.imported
    assert reference == LOCAL_IMAGE
    assert 'CMD ["sh"]' in changes and f"LABEL {RECIPE_LABEL}={recipe_of(busybox)}" in changes
    assert data == rootfs(busybox)


def test_the_image_made_earlier_is_reused_and_made_again_when_its_recipe_changed(busybox: HostBusybox) -> None:
    engine = ImageEngine({LOCAL_IMAGE: {RECIPE_LABEL: recipe_of(busybox)}})
    choice = SampleImages(engine, find_busybox=found(busybox)).choose()  # type: ignore[arg-type]
    assert choice.reference == LOCAL_IMAGE and "made here earlier" in choice.line and engine.imported == []

    engine = ImageEngine({LOCAL_IMAGE: {RECIPE_LABEL: "another-busybox"}, "busybox:1.36": {}})
    choice = SampleImages(engine, find_busybox=found(busybox)).choose()  # type: ignore[arg-type]
    assert choice.reference == LOCAL_IMAGE and "made here from" in choice.line and len(engine.imported) == 1


def test_with_neither_the_public_image_is_named_and_the_line_says_how_to_run_offline() -> None:
    engine = ImageEngine({"computetui-test/lambda-python:latest": {}})
    choice = SampleImages(engine, find_busybox=none_here()).choose()  # type: ignore[arg-type]
    assert choice.reference == PUBLIC_IMAGE and not choice.offline
    assert choice.line.startswith(f"Image {PUBLIC_IMAGE}: not on the engine and not made here "
                                  "(no static busybox on this machine), so a task pulls it")
    assert "busybox-static" in choice.line and 'sample_image = "IMAGE"' in choice.line


def test_an_unavailable_engine_leaves_the_public_image_and_says_why() -> None:
    choice = SampleImages(ImageEngine(status=GONE), find_busybox=none_here()).choose()  # type: ignore[arg-type]
    assert choice.reference == PUBLIC_IMAGE and not choice.offline
    assert "the Docker engine is unavailable (no Docker socket" in choice.line


def test_the_sample_image_setting_is_used_as_it_is(busybox: HostBusybox) -> None:
    engine = ImageEngine({"mirror.local/busybox:1": {}})
    choice = SampleImages(engine, "mirror.local/busybox:1", found(busybox)).choose()  # type: ignore[arg-type]
    assert choice.reference == "mirror.local/busybox:1" and choice.offline and "sample_image setting" in choice.line
    choice = SampleImages(engine, "elsewhere/busybox:2", found(busybox)).choose()  # type: ignore[arg-type]
    assert choice.reference == "elsewhere/busybox:2" and not choice.offline and "pulls it" in choice.line
    assert engine.imported == []


def test_an_engine_failing_halfway_names_the_public_image_with_the_engines_words(busybox: HostBusybox) -> None:
    class Failing(ImageEngine):
        def import_image(self, data: bytes, reference: str, changes: list[str]) -> ImageInfo:
            raise Unavailable("import computetui/sample:latest: Docker engine unavailable: gone", reason="gone")

    choice = SampleImages(Failing(), find_busybox=found(busybox)).choose()  # type: ignore[arg-type]
    assert choice.reference == PUBLIC_IMAGE and not choice.offline and "Docker engine unavailable: gone" in choice.line


def test_the_root_filesystem_has_busybox_a_link_per_applet_and_a_tmp_anyone_writes(busybox: HostBusybox) -> None:
    with tarfile.open(fileobj=io.BytesIO(rootfs(busybox))) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert tar.extractfile("bin/busybox").read() == busybox.path.read_bytes()  # type: ignore[union-attr]
    for applet in NEEDS:
        assert members[f"bin/{applet}"].issym() and members[f"bin/{applet}"].linkname == "busybox"
    assert "bin/busybox" in members and not members["bin/busybox"].issym()
    assert members["tmp"].isdir() and members["tmp"].mode == 0o1777
    assert "etc/passwd" in members


def elf(*segment_types: int) -> bytes:
    """A 64-bit little-endian ELF header with program headers of these types."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 32, 64)  # e_phoff
    struct.pack_into("<HH", header, 54, 56, len(segment_types))  # e_phentsize, e_phnum
    for kind in segment_types:
        header += struct.pack("<I", kind) + bytes(52)
    return bytes(header)


def test_only_a_binary_without_an_interpreter_counts_as_static() -> None:
    assert is_static_elf(elf(1, 1, 4))  # PT_LOAD, PT_LOAD, PT_NOTE
    assert not is_static_elf(elf(6, 3, 1))  # PT_PHDR, PT_INTERP, PT_LOAD
    assert not is_static_elf(b"#!/bin/sh\necho busybox\n")


def test_the_runner_makes_an_image_it_has_a_maker_for_instead_of_pulling_it() -> None:
    engine = ImageEngine()
    made: list[str] = []
    runner = ContainerRunner(engine)  # type: ignore[arg-type]
    runner.add_maker(LOCAL_IMAGE, lambda: made.append(LOCAL_IMAGE) or engine.images.setdefault(LOCAL_IMAGE, {}))
    runner.pull("computetui/sample")  # the same name, without its tag
    runner.pull(LOCAL_IMAGE)  # there now: not made twice
    runner.pull("busybox:1.36")
    assert made == [LOCAL_IMAGE] and engine.pulled == ["busybox:1.36"]


def test_a_task_needing_the_emulators_image_when_it_cannot_be_made_is_told_why() -> None:
    from computetui.backends.local.containers import ImageUnavailable

    engine = ImageEngine()
    runner = ContainerRunner(engine)  # type: ignore[arg-type]
    runner.add_maker(LOCAL_IMAGE, SampleImages(engine, find_busybox=none_here()).make)  # type: ignore[arg-type]
    with pytest.raises(ImageUnavailable) as raised:
        runner.pull(LOCAL_IMAGE)
    assert raised.value.message == (f"{LOCAL_IMAGE} is not on the engine and cannot be made here: "
                                    "no static busybox on this machine")
    assert isinstance(raised.value, NotFound) and engine.pulled == []


def test_the_host_busybox_must_be_static_and_have_what_the_sample_calls(tmp_path: Path) -> None:
    from computetui.backends.local.sample_image import host_busybox

    script = tmp_path / "busybox"
    script.write_text("#!/bin/sh\necho sh\n")
    script.chmod(0o755)
    assert host_busybox((str(tmp_path / "none"),)) == (None, "no static busybox on this machine")
    assert host_busybox((str(script),)) == (None, f"{script} is not a static binary")


def test_the_hosts_static_busybox_is_found_with_its_applets() -> None:
    from computetui.backends.local.sample_image import BUSYBOX_PATHS, host_busybox

    if not any(Path(p).is_file() and is_static_elf(Path(p).read_bytes()[:65536]) for p in BUSYBOX_PATHS):
        # The test images are made from it too: the Docker policy decides.
        unavailable("no static busybox on this machine (apt-get install busybox-static)", REQUIRE_DOCKER,
                    "COMPUTETUI_REQUIRE_DOCKER")
    busybox, problem = host_busybox()
    assert busybox is not None and problem == ""
    assert set(NEEDS) <= set(busybox.applets)
