"""Helpers for the test suite and CI."""
