"""Maintenance tools that are not part of the assistant (`python -m tools.audit`)."""
