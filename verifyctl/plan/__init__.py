"""Pure diff of desired against live state, and the Plan value (no I/O)."""
