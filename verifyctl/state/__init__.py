"""Read the live account into resource records, concurrently."""
