"""Every query and mutation, on an explicit session; nothing here knows about HTTP."""
