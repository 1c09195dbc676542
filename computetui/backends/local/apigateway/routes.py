"""An HTTP API's route keys, and which route a request takes (pure functions).

A route key is ``$default`` or ``METHOD /path``: the method is one of HTTP's or ``ANY``; the
path's segments are literal, ``{name}`` (one segment) or, last only, ``{name+}`` (the rest of
the path, greedy). A request takes the most specific route that matches, as HTTP APIs choose:

1. a route whose path matches with no greedy variable beats one with a greedy variable;
2. between two such paths, segment by segment from the left, a literal segment beats a
   variable;
3. a route for the request's method beats ``ANY`` on the same path;
4. ``$default`` takes whatever no other route matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from computetui.backends.errors import InvalidParameter

DEFAULT = "$default"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
_VARIABLE = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}$")
_LITERAL = re.compile(r"^[A-Za-z0-9._~!$&'()*,;=:@%-]+$")


@dataclass(frozen=True)
class Segment:
    text: str
    variable: str | None = None
    greedy: bool = False


@dataclass(frozen=True)
class RouteKey:
    """A parsed route key."""

    key: str
    method: str
    segments: tuple[Segment, ...]

    @property
    def default(self) -> bool:
        return self.key == DEFAULT

    @property
    def path(self) -> str:
        return "/" + "/".join(s.text for s in self.segments)


def parse_route_key(key: str) -> RouteKey:
    """``GET /pets/{id}`` -> a RouteKey; ``BadRequestException`` naming ``RouteKey`` for one
    HTTP APIs refuse."""
    if key == DEFAULT:
        return RouteKey(key, "ANY", ())
    method, space, path = key.partition(" ")
    if not space or method not in METHODS:
        raise _bad(key, f"a route key is $default or METHOD /path, with METHOD one of {', '.join(METHODS)}")
    if not path.startswith("/") or "?" in path or " " in path:
        raise _bad(key, "the path starts with / and has no query string or spaces")
    parts = [p for p in path[1:].split("/")] if path != "/" else []
    segments = []
    for index, part in enumerate(parts):
        match = _VARIABLE.match(part)
        if match:
            greedy = bool(match.group(2))
            if greedy and index != len(parts) - 1:
                raise _bad(key, "a greedy path variable ({name+}) must be the last segment")
            segments.append(Segment(part, match.group(1), greedy))
        elif part and _LITERAL.match(part) and "{" not in part and "}" not in part:
            segments.append(Segment(part))
        else:
            raise _bad(key, f"the path segment {part!r} is neither a literal nor a {{variable}}")
    names = [s.variable for s in segments if s.variable]
    if len(names) != len(set(names)):
        raise _bad(key, "a path variable's name is used twice")
    return RouteKey(key, method, tuple(segments))


def _bad(key: str, rule: str) -> InvalidParameter:
    return InvalidParameter(f"Invalid route key {key!r}: {rule}.", code="BadRequestException", field="RouteKey")


@dataclass(frozen=True)
class Match:
    route: RouteKey
    path_parameters: dict[str, str]


def _match_path(route: RouteKey, parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for index, segment in enumerate(route.segments):
        if segment.greedy:
            rest = parts[index:]
            if not rest or rest == [""]:
                return None  # {proxy+} needs at least one segment
            params[segment.variable or "proxy"] = "/".join(unquote(p) for p in rest)
            return params
        if index >= len(parts):
            return None
        part = parts[index]
        if segment.variable:
            if not part:
                return None
            params[segment.variable] = unquote(part)
        elif segment.text != part:
            return None
    return params if len(parts) == len(route.segments) else None


def _specificity(route: RouteKey, method: str) -> tuple[int, tuple[int, ...], int]:
    """Smaller is more specific."""
    greedy = any(s.greedy for s in route.segments)
    kinds = tuple(0 if s.variable is None else 1 for s in route.segments)
    return (1 if greedy else 0, kinds, 0 if route.method == method else 1)


def choose(routes: list[RouteKey], method: str, path: str) -> Match | None:
    """The route a request for ``method path`` takes, with its path parameters; None: 404."""
    parts = path[1:].split("/") if path not in ("", "/") else []
    best: tuple[tuple[int, tuple[int, ...], int], Match] | None = None
    default = None
    for route in routes:
        if route.default:
            default = route
            continue
        if route.method not in (method, "ANY"):
            continue
        params = _match_path(route, parts)
        if params is None:
            continue
        rank = _specificity(route, method)
        if best is None or rank < best[0]:
            best = (rank, Match(route, params))
    if best is not None:
        return best[1]
    return Match(default, {}) if default is not None else None
