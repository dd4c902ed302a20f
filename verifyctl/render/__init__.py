"""Render a Plan as text, JSON or Markdown (pure)."""
