"""Tables sort money, sizes, durations and counts by their value, in every view."""

from __future__ import annotations

import pytest

from computetui.ui.pages.service import ServiceScreen
from computetui.ui.sorting import sort_key
from tests.ui.helpers import SIZE, make_app, settle, type_text


def ordered(*cells: object, kind: str = "number") -> list[object]:
    """The cells in the order a column of this kind sorts them."""
    return sorted(cells, key=lambda cell: sort_key(cell, kind))  # type: ignore[arg-type]


def test_money_sorts_by_amount_not_by_its_digits() -> None:
    assert ordered("$12.00/mo", "$164.00/mo", "$24.00/mo", "$5.00/mo", "$1,024.00/mo") == [
        "$5.00/mo", "$12.00/mo", "$24.00/mo", "$164.00/mo", "$1,024.00/mo"]


def test_sizes_sort_in_bytes_whatever_their_unit() -> None:
    assert ordered("2 GB", "512 MB", "0.5 GB", "1 TB", "300 B", "1.5 KB", "1 GiB") == [
        "300 B", "1.5 KB", "0.5 GB", "512 MB", "1 GiB", "2 GB", "1 TB"]
    assert ordered("0.5 GB", "512 MB") == ["0.5 GB", "512 MB"]  # the same size: as written, stably


def test_counts_sort_as_numbers_with_their_separators() -> None:
    assert ordered("1,024", "256", 2048, "12", 3.5) == [3.5, "12", "256", "1,024", 2048]
    assert ordered("10 tasks", "2 tasks", "1 task") == ["1 task", "2 tasks", "10 tasks"]


def test_durations_sort_in_seconds() -> None:
    assert ordered("15 min", "30 s", "900 ms", "2 h", "1 d") == ["900 ms", "30 s", "15 min", "2 h", "1 d"]


def test_ranges_and_pairs_sort_by_their_first_number_then_the_next() -> None:
    assert ordered("0-256", "0-16", "2-4") == ["0-16", "0-256", "2-4"]
    assert ordered("3 (1-10)", "3 (1-4)", "1 (1-2)") == ["1 (1-2)", "3 (1-4)", "3 (1-10)"]
    assert ordered("2048 / 4096 MiB", "512 / 4096 MiB") == ["512 / 4096 MiB", "2048 / 4096 MiB"]


def test_blanks_come_after_values_and_text() -> None:
    assert ordered("-", "$5.00/mo", None, "", "$1.00/mo") == ["$1.00/mo", "$5.00/mo", "-", None, ""]
    assert ordered("-", "beta", "Alpha") == ["Alpha", "beta", "-"]


def test_ids_and_addresses_that_start_with_digits_are_not_quantities() -> None:
    # A task id is hex; an address has dots: neither is a quantity, so they keep their text order.
    assert ordered("80a9c2", "7f00aa", "e80a9c") == ["7f00aa", "80a9c2", "e80a9c"]
    assert ordered("10.0.0.2", "10.0.0.12") == ["10.0.0.12", "10.0.0.2"]
    assert sort_key("80a9c2", "number")[0] == 1 and sort_key("10.0.0.2", "number")[0] == 1


def test_text_columns_sort_as_text_and_lone_numbers_as_numbers() -> None:
    names = ("3289614886930123-9579", "000cd4d99d-5063", "web-2", "Api")
    assert ordered(*names, kind="text") == sorted(names, key=str.lower)
    assert ordered("10", "9", "-", "b", kind="text") == ["9", "10", "b", "-"]
    assert ordered(10, 9, kind="state") == [9, 10]


def test_negative_numbers_sort_below_zero() -> None:
    assert ordered("3", "-2", "0") == ["-2", "0", "3"]


# -- in the console ----------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_lightsail_bundles_open_sorted_by_price_from_the_cheapest() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, ":lightsail")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ServiceScreen) and screen.view.id == "bundles"
        table = screen.table
        by_price = ["nano_3_0", "micro_3_0", "small_3_0", "medium_3_0", "large_3_0", "xlarge_3_0", "2xlarge_3_0"]
        assert [key.removeprefix("bundle:") for key in table.visible_keys] == by_price
        for column in ("memory", "disk", "transfer"):  # sizes in GB and TB grow with the price here
            table.sort_by(column)
            await pilot.pause()
            rows = {row.key: row for row in table.rows}
            values = [rows[key].cells[column] for key in table.visible_keys]
            assert [sort_key(v, "number") for v in values] == sorted(sort_key(v, "number") for v in values)
            assert values[0] == {"memory": "0.5 GB", "disk": "20 GB", "transfer": "1 TB"}[column]
        table.sort_by("price", reverse=True)
        await pilot.pause()
        assert table.visible_keys[0] == "bundle:2xlarge_3_0"
