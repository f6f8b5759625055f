"""Idempotency keys for API writes: a retried request with the same key gets the first response back, and nothing is
done twice. See ``justice.idempotency.services``."""
