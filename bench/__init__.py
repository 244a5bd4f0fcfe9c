"""Benchmarks: scripts that print JSON. ``python -m bench`` runs the quick set."""
