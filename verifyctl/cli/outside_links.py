"""--allow-outside-links: the one option that lets a file read leave the directory of the path named."""

from __future__ import annotations

import click

from verifyctl.config.reading import OUTSIDE_LINKS_FLAG

outside_links_option = click.option(
    OUTSIDE_LINKS_FLAG,
    "allow_outside_links",
    is_flag=True,
    help="Read files that links (or var_files) lead to outside the directory of each PATH named.",
)
