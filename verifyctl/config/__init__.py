"""Desired state: YAML loading with positions, pydantic models and the JSON Schema."""
