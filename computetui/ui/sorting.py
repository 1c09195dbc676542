"""How a table orders its cells: a number column by the value its cells show, not by their letters.

The views write cells for people (``$12.00/mo``, ``512 MB``, ``2 GB``, ``1,024``, ``30 s``,
``0-256``); a ``number`` column's sort reads the quantity back out of that text, so every
money, size, count and duration column sorts by its value in every table without a view
saying more. Sizes compare in bytes (``512 MB`` before ``2 GB``), durations in seconds, money
by amount; numbers after the first (``2 (1-4)``, ``1024 / 2048``) break ties. Other columns
sort as text without case (a cell that is only a number, as a number), so names and ids that
start with digits keep their order. Blanks (``-``, empty, None) come after everything else.
No Textual here: the table calls :func:`sort_key` once per row and column.
"""

from __future__ import annotations

import re
from typing import Any

from computetui.ui.views import CellValue

_KIB = 1024.0
_SIZES = {
    unit: _KIB**power
    for power, names in enumerate((("B",), ("KB", "KiB"), ("MB", "MiB"), ("GB", "GiB"), ("TB", "TiB"),
                                   ("PB", "PiB")))
    for unit in names
}
_SECONDS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "secs": 1.0, "min": 60.0, "mins": 60.0, "h": 3600.0,
            "hr": 3600.0, "hrs": 3600.0, "d": 86400.0, "day": 86400.0, "days": 86400.0}

# What a quantity measures: each sorts apart, so a column that mixes them still groups its kinds.
_COUNT, _MONEY, _SIZE, _DURATION, _PERCENT = range(5)

_UNITS = "|".join(sorted((*_SIZES, *_SECONDS), key=len, reverse=True))
_QUANTITY = re.compile(
    r"\s*(?P<sign>[-+])?(?P<money>\$)?(?P<number>\d[\d,]*(?:\.\d+)?|\.\d+)"
    # What may follow the number: a unit (``GB``, ``5GB``, ``%``), a word after a space (``3 tasks``),
    # or nothing; then the end, a space or a separator. So ``80a9c2`` and ``10.0.0.2`` are not quantities.
    rf"(?:\s?(?P<unit>%|{_UNITS})|\s[A-Za-z]+)?(?=$|[\s/()\-:,;+])"
)
_MORE_NUMBERS = re.compile(r"\d+(?:\.\d+)?")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_BLANKS = frozenset({"", "-", "—", "–"})
_STARTS = frozenset("0123456789$.-+ ")


def sort_key(value: CellValue, kind: str) -> tuple[Any, ...]:
    """The key a cell of a ``kind`` column (``Column.kind``) sorts by: values, then text, then blanks."""
    if value is None:
        return (2,)
    if isinstance(value, (int, float)):
        return (0, _COUNT, float(value), ())
    text = str(value)
    if text.strip() in _BLANKS:
        return (2,)
    if kind == "number":
        if text[0] in _STARTS:
            found = _QUANTITY.match(text)
            if found is not None:
                return _quantity_key(found, text)
    elif text[0] in _STARTS:
        first = text.split(maxsplit=1)[0].replace(",", "").lstrip("$")
        if _NUMBER.fullmatch(first):
            return (0, _COUNT, float(first), ())
    return (1, text.lower())


def _quantity_key(found: re.Match[str], text: str) -> tuple[Any, ...]:
    number = float(found["number"].replace(",", ""))
    if found["sign"] == "-":
        number = -number
    unit = found["unit"] or ""
    if found["money"]:
        kind = _MONEY
    elif unit in _SIZES:
        kind, number = _SIZE, number * _SIZES[unit]
    elif unit in _SECONDS:
        kind, number = _DURATION, number * _SECONDS[unit]
    elif unit == "%":
        kind = _PERCENT
    else:  # a plain count, or a count of things (``3 tasks``)
        kind = _COUNT
    rest = tuple(float(n) for n in _MORE_NUMBERS.findall(text, found.end()))
    return (0, kind, number, rest, text.lower())
