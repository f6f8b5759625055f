"""Cases, filings, exhibits, hearings and decisions: the court's side of the portal."""
