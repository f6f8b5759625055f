"""Version 1 of the filings API (``/api/v1/``): the same selectors, permissions and services as the pages."""
