"""Ringback: a follow-up system for people who sell by phone."""

__version__ = "0.1.0"
