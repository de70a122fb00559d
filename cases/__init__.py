"""Caseworker handoff: cases, their event log and transcript, caseworker accounts.

state.py (pure life cycle) · policy.py (who may do what) · models.py (tables, migration 0003)
service.py (changes) · store.py (console queries) · accounts.py · routing.py (channels hook)
delivery.py (the channels interfaces) · notify.py (urgent-case alert) · cli.py (accounts CLI)
"""
