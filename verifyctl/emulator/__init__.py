"""A faithful, stateful local emulator of the Twilio Verify v2 API (imports nothing else from verifyctl)."""
