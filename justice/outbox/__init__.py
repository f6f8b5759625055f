"""The transactional outbox: tasks written to the database in the transaction of the change that calls for them,
then published to the broker by a relay, so that no task is lost when the broker is down at commit time."""
