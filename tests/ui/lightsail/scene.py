"""The Lightsail scene the UI tests share: the demo workload plus instances made through the contract."""

from __future__ import annotations

from computetui.app import ComputeApp
from tests.ui.helpers import make_app


def lightsail_app(*names: str, read_only: bool = False, script: str = "echo hello") -> ComputeApp:
    """The console on the seeded backend with an nginx instance per name (made before read-only is on)."""
    app = make_app()
    backend = app.backend
    assert backend is not None and backend.lightsail is not None
    if names:
        backend.lightsail.create_instances(list(names), "us-east-1a", "nginx", "nano_3_0", user_data=script)
    if read_only:
        backend.read_only = True
        app.settings = type(app.settings)(**{**app.settings.__dict__, "read_only": True})
    return app
