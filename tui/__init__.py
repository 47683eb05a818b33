"""Textual terminal UI: the dashboard and its screens."""
