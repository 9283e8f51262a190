import pytest

from sales.capture.mrz import reader


@pytest.fixture(autouse=True)
def unhurried_reader(monkeypatch):
    """The suite checks what is read; how fast is for bench/ (make bench-passports). On a busy
    machine the reader's time budget would end a search the test means to see through."""
    monkeypatch.setattr(reader, "TIME_BUDGET", 3.0)  # four times production's
