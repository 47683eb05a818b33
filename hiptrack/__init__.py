"""The composition root: the `hiptrack` command wires the services, the sensors and the dashboard together.

Why a package of its own above `tui`: the command line starts both the printing commands and the
Textual screens, so it depends on everything and nothing depends on it; the import contracts
then need no exemption (tui sits on tracker, which sits on sensors and analysis).
"""
