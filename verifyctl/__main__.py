"""Entry point for `python -m verifyctl`."""

from verifyctl.cli.main import main

if __name__ == "__main__":
    main()
