"""computetui: a keyboard-driven terminal console for AWS compute."""

__version__ = "0.1.0"
