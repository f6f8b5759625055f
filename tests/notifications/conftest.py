"""The jurisdiction of the filings tests: notifications are about its filings."""

from tests.filings.conftest import citizen, elsewhere, place

__all__ = ["citizen", "elsewhere", "place"]
