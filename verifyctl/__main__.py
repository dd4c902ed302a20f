"""Entry point for `python -m verifyctl`."""

from verifyctl.cli.entry import run

if __name__ == "__main__":
    run()
