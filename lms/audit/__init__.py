"""Audit log (log audit): who did what, when and from where, for every organiser and admin action."""
