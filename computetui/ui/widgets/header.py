"""The top bar: backend, account, region, read-only badge and engine status."""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

from computetui import pricing
from computetui.ui.overview import Overview

# What gives way, in this order, when the bar is wider than the terminal: the endpoint's
# scheme, then the refresh interval, then the free tier's share, then the cost meters (Lambda's, and what services that
# price their month, Lightsail, have cost so far). Who and where (backend,
# profile, account, region, endpoint) and the warnings always stay.
_SQUEEZES = ({}, {"scheme": False}, {"scheme": False, "refresh": False},
             {"scheme": False, "refresh": False, "free": False},
             {"scheme": False, "refresh": False, "free": False, "usage": False})


class ConsoleHeader(Widget):
    DEFAULT_CSS = """
    ConsoleHeader {
        dock: top;
        height: 1;
        background: $header-background;
        color: $header-foreground;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "overview", lambda _: self.refresh(), init=False)

    def render(self) -> RenderResult:
        width = self.size.width
        bar = self._bar()
        for squeeze in _SQUEEZES[1:]:
            if not width or bar.cell_length <= width:
                break
            bar = self._bar(**squeeze)
        return bar

    def _bar(self, *, scheme: bool = True, refresh: bool = True, free: bool = True, usage: bool = True) -> Content:
        overview: Overview = self.app.overview  # type: ignore[attr-defined]
        settings = self.app.settings  # type: ignore[attr-defined]
        parts: list[Content | str] = [Content.from_markup(" [b $primary]◆ computetui[/] ")]
        info = overview.info
        name = overview.backend_name or settings.backend
        emulated = overview.capabilities is not None and overview.capabilities.emulated
        fields = [name]
        if info is not None:
            if info.profile:
                fields.append(f"profile {info.profile}")
            fields.append(f"account {info.account or '?'}")
            fields.append(info.region)
            if info.endpoint and not emulated:
                fields.append(info.endpoint if scheme else info.endpoint.split("://", 1)[-1])
        else:
            fields.extend(settings.destination())  # where it is trying to go, so a bad profile or region shows
            if overview.state == "connecting":
                fields.append("connecting…")
        parts.append(Content(" │ " + " · ".join(fields)))
        if settings.read_only:
            parts.append(Content.from_markup("  [b reverse $badge-readonly] READ-ONLY [/]"))
        if overview.state == "failed":
            parts.append(Content.from_markup("  [b $error]● backend unavailable[/]"))
        elif info is not None and info.problem and not emulated:
            parts.append(Content.from_markup("  [b $error]● [/]") + Content(info.problem[:60]))
        if info is not None and info.engine is not None:
            engine = info.engine
            colour = "$success" if engine.reachable else "$warning"
            parts.append(Content.from_markup(f"  │ Docker [{colour}]●[/] ") + Content(engine.summary))
        meter = overview.usage
        if meter is not None and usage:
            share = max(
                meter.free_requests_used / pricing.LAMBDA_FREE_REQUESTS_PER_MONTH,
                meter.free_gb_seconds_used / pricing.LAMBDA_FREE_GB_SECONDS_PER_MONTH,
            )
            parts.append(Content.from_markup("  │ λ [b]$c[/]/mo", c=pricing.usd(meter.total)))
            if free:
                parts.append(Content(f" · free tier {share:.0%}"))
        if usage:
            for summary in overview.summaries.values():
                if summary.spent is not None:
                    who, amount = summary.spent
                    parts.append(Content.from_markup("  │ $w [b]$c[/]/mo", w=who, c=f"${amount:,.2f}"))
        if refresh:
            seconds = settings.refresh_seconds
            parts.append(Content(f"  │ ⟳ {seconds:g}s" if seconds else "  │ ⟳ off"))
        return Content("").join(parts)
