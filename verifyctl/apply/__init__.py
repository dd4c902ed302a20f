"""Execute a Plan in dependency waves."""
