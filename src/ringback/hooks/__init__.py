"""Webhooks: the URLs an account registers for events, and each delivery's attempts."""
