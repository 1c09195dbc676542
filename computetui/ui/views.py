"""What a console page shows, as plain data: columns, rows, resource views, row actions,
and a service's spec. No Textual here: each service's ``views.py`` builds these, the
registry gathers them, and the screens draw them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from computetui.backends.base import Backend, Facet

CellValue = str | int | float | None


@dataclass(frozen=True)
class Column:
    """A table column. Whatever its kind, it sorts by the value its cells show (``$5.00`` before
    ``$12.00``, ``512 MB`` before ``2 GB``: :mod:`computetui.ui.sorting`), so a view writes its
    cells for people and the table reads the quantities back."""

    key: str
    label: str
    kind: str = "text"
    """``text``, ``state`` (coloured by state), ``number`` (right aligned) or ``time``."""
    width: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One resource in a table, keyed by its ARN (or another unique id)."""

    key: str
    name: str
    cells: dict[str, CellValue]
    detail: dict[str, Any] | Callable[[], dict[str, Any]]
    """The resource's AWS JSON, shown by describe; or what makes it (``task.to_aws``), so a page
    of thousands of rows dumps only the one you describe. Read it with :meth:`aws_json`."""
    state: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """What actions need that AWS JSON does not carry (the API kind, the cluster...)."""

    def aws_json(self) -> dict[str, Any]:
        detail = self.detail
        if callable(detail):
            detail = detail()
            object.__setattr__(self, "detail", detail)  # made once
        return detail

    def text(self) -> str:
        """Everything a filter matches against."""
        return " ".join([self.name, self.key, *(str(v) for v in self.cells.values() if v is not None)]).lower()


@dataclass(frozen=True)
class RowsSoFar:
    """What a view's fetch yields while it is still reading: the rows so far, and how many it
    expects in all. A fetch that yields these ends by yielding (or returning) the full list."""

    rows: list[Row]
    expected: int


@dataclass(frozen=True)
class RowAction:
    """Something a key does to the row under the cursor, beyond open and delete: ``e`` enables
    or disables a Batch queue, ``n`` drains a container instance. The screens give it a key
    binding (remappable by ``id``), show it in the footer and in ``?`` on the views that have it,
    refuse it in read-only mode when it is ``mutating``, and run it in a worker thread."""

    id: str
    """The key binding's id, for the keymap: ``enable-disable``."""
    key: str
    label: str
    """The footer's word for it: ``Enable/Disable``."""
    what: Callable[[Row], str]
    """What it is about to do to the row, in words (``disable job queue nightly``): read-only mode
    refuses it in these words, and a failure is titled "Could not ..." with them."""
    run: Callable[[Backend, Row], str | None]
    """Does it (in a worker thread); returns what to tell the user it did, or None."""
    tooltip: str = ""
    mutating: bool = True
    confirm: Callable[[Row], str] | None = None
    """When given, the question asked first: the warning under "<what>?"."""


@dataclass(frozen=True)
class ResourceView:
    id: str
    title: str
    """Plural, as the console's navigation says it: ``Functions``."""
    noun: str
    """Singular, for messages: ``function``."""
    columns: tuple[Column, ...]
    fetch: Callable[[Backend], list[Row] | Iterator[RowsSoFar | list[Row]]]
    """The rows, read in the page's worker thread; or an iterator of ``RowsSoFar`` then the rows,
    for a listing slow enough that its first rows should show before the rest are read."""
    delete: Callable[[Backend, Row], None] | None = None
    read_only_reason: str | None = None
    """Why rows cannot be deleted from here, when they cannot."""
    sort: str | None = None
    """The column sorted by at first; the first column when None."""
    opens: str = "json"
    """What enter opens: ``json`` (the resource's AWS JSON) or a screen of its own (``function``)."""
    creates: str | None = None
    """What ``c`` creates (``function``), or None when the view cannot create."""
    logs: str | None = None
    """What ``l`` opens on a row, named as ``opens`` is: the row's page on its logs
    (``function-logs``); None when the rows have no logs."""
    context: dict[str, Any] = field(default_factory=dict)
    """Where the view is (``{"cluster": "demo"}``): handed to what it opens and creates."""
    delete_verb: str = "Delete"
    """What ctrl+d does to a row: ``Delete``, ``Stop`` (a task), ``Deregister``."""
    delete_warning: str = "This cannot be undone."
    actions: tuple[RowAction, ...] = ()
    """What else keys do to a row (``e`` enables or disables a Batch queue)."""


@dataclass(frozen=True)
class Summary:
    """A service's line on the home page and its count in the navigation."""

    count: int | None
    lines: tuple[tuple[str, str], ...] = ()
    """(label, value) pairs; a value may be a state to colour."""
    problem: str | None = None
    spent: tuple[str, float] | None = None
    """(who, US dollars): what the service has cost this calendar month so far, when it says
    (``("Lightsail", 1.23)``); the header shows it beside the Lambda meter."""


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    nav_label: str
    title: str
    facet: str
    views: tuple[ResourceView, ...]
    summarize: Callable[[Backend], Summary]
    aliases: tuple[str, ...] = ()

    def facet_of(self, backend: Backend) -> Facet | None:
        return getattr(backend, self.facet)

    @property
    def command(self) -> str:
        return f":{self.id}"


def deleter(facet: str, operation: str, **fixed: Any) -> Callable[[Backend, Row], None]:
    """A view's ``delete``: ``operation`` of the backend's ``facet``, called with the row's name."""

    def delete(b: Backend, row: Row) -> None:
        getattr(getattr(b, facet), operation)(row.name, **fixed)

    return delete
