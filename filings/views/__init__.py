"""Pages of the filings app: thin views that parse a form, call one service and render or redirect."""
