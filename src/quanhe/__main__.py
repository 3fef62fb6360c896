"""`python -m quanhe` runs the command line, as the `quanhe` script does."""

from quanhe.cli import main

main()
