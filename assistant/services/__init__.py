"""Use cases: the only layer the CLI and the TUI call."""
