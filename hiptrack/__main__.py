"""`python -m hiptrack` is the `hiptrack` command."""

from hiptrack.cli import main

main()
