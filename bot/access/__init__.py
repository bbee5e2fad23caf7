"""Who may do what: roles, single-use codes, and the audit log."""
