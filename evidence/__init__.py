"""Evidence items, their seals, the transparency log and the chain of custody."""
