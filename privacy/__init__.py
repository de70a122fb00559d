"""Protecting migrants' data: pseudonymous ids, erasure, retention."""
