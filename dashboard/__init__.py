"""Border security dashboard: events tied to their sources."""
