"""Services: every state change is a named function here that mutates and flushes.

The caller (a view, a CLI command, a test) commits once.
"""
