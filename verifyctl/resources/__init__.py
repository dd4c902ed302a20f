"""Per-kind declarations: API path, identity, model field <-> form param <-> response key."""
