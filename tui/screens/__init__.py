"""The dashboard's screens, one per module; each gets its collaborators through `__init__`."""
