"""Checks a user or ``make run`` can run: the self-test and the Qt platform check."""
