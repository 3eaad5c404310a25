"""The Contacts tab's pages, one module per feature."""
