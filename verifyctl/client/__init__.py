"""HTTP only: session, auth, pagination, retry and error mapping for the Verify v2 API."""
