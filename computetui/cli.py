"""The command line: ``computetui [options]`` and ``computetui serve [options]``.

Every mistake (a bad flag, a bad config file, a state dir that cannot be
opened) ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from computetui import __version__
from computetui.settings import Settings, SettingsError, load_settings

PROG = "computetui"


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line instead of usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _refresh(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (off) or more seconds")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-dir", metavar="DIR", help="the local emulator's state dir")
    parser.add_argument(
        "--demo", action="store_true", default=None, help="seed the sample workload and say what it made"
    )
    parser.add_argument("--read-only", action="store_true", default=None, help="refuse every change")
    parser.add_argument("--region", metavar="R", help="AWS region (default us-east-1 locally; AWS_REGION for aws)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A keyboard-driven console for AWS compute: ECS, ECR, Lambda, API Gateway, Batch, "
        "Lightsail and EKS, on a local Docker emulator or on AWS.",
        epilog="Run 'computetui serve --help' for the emulator without the console.",
    )
    parser.add_argument("--backend", choices=["local", "aws"], help="where resources live (default local)")
    _common(parser)
    parser.add_argument("--theme", metavar="NAME", help="aws-dark (default), aws-light, high-contrast or a user theme")
    parser.add_argument("--profile", metavar="P", help="AWS profile (aws backend; default AWS_PROFILE)")
    parser.add_argument("--endpoint-url", metavar="URL", help="another AWS endpoint, e.g. LocalStack or moto")
    parser.add_argument(
        "--refresh",
        metavar="SECONDS",
        type=_refresh,
        help="seconds between refreshes of the visible page; 0 turns polling off",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def build_serve_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"{PROG} serve",
        description="Run the local emulator's controller without the console, so its endpoints "
        "stay up. Stops cleanly on Ctrl-C or SIGTERM.",
    )
    _common(parser)
    return parser


def _flags(namespace: argparse.Namespace) -> dict[str, Any]:
    return {k: v for k, v in vars(namespace).items() if v is not None}


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        return serve(args[1:])
    namespace = build_parser().parse_args(args)
    try:
        settings = load_settings(_flags(namespace))
    except SettingsError as exc:
        return _fail(str(exc))
    return run_console(settings)


def log_to_file() -> None:
    """The console draws on the terminal, so log lines go to a file instead."""
    import logging

    from computetui.locations import log_file

    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def run_console(settings: Settings) -> int:
    log_to_file()
    from computetui.app import ComputeApp
    from computetui.ui.themes import ThemeError, check_theme_name

    try:
        check_theme_name(settings.theme)
    except ThemeError as exc:
        source = settings.source_of("theme")
        return _fail(f"{source}: {exc}" if source else str(exc))
    app = ComputeApp(settings)
    app.run()
    return app.return_code or 0


def serve(argv: Sequence[str]) -> int:
    namespace = build_serve_parser().parse_args(list(argv))
    flags = _flags(namespace)
    flags["backend"] = "local"
    try:
        settings = load_settings(flags)
    except SettingsError as exc:
        return _fail(str(exc))

    import logging

    from computetui.backends import open_backend
    from computetui.backends.errors import ComputeError
    from computetui.backends.local.controller import LockBusy

    logging.basicConfig(level=logging.INFO, format=f"{PROG} serve: %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            backend = open_backend("local", controller=False, **settings.backend_options())
        except ComputeError as exc:
            return _fail(exc.message)
        try:
            try:
                backend.controller.start(require_lock=True)  # type: ignore[attr-defined]
            except LockBusy as exc:
                return _fail(f"serve: {exc}")
            if settings.demo:
                try:
                    seeded = backend.seed_demo()
                except ComputeError as exc:
                    return _fail(f"serve: cannot seed the sample workload: {exc}")
                said = seeded.made or ["already in place"]
                print("Sample workload: " + "; ".join([*said, *([seeded.image] if seeded.image else [])]), flush=True)
            info = backend.info()
            engine = info.engine.summary if info.engine else "n/a"
            print(
                f"{PROG} serve: controller running for {info.endpoint} "
                f"(region {info.region}, account {info.account}, engine {engine}); Ctrl-C to stop",
                flush=True,
            )
            if info.engine and not info.engine.reachable:
                print(f"{PROG} serve: {info.engine.reason}", flush=True)
            gateway = getattr(backend.apigateway, "listening_port", None)
            if callable(gateway):
                print(f"{PROG} serve: API Gateway at http://127.0.0.1:{gateway()}/_aws/execute-api/<api-id>/<stage>/",
                      flush=True)
            while not stop.wait(0.5):
                pass
            print(f"{PROG} serve: stopping", flush=True)
        finally:
            backend.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"{PROG} serve: stopped", flush=True)
    return 0
