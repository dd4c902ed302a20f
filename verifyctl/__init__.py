"""verifyctl: Twilio Verify services as code."""

# The one place the version is set: pyproject.toml reads it (dynamic version) and `verifyctl --version`
# prints it. A release also moves CHANGELOG.md's Unreleased entries and gets an annotated tag vX.Y.Z.
__version__ = "0.1.0"
