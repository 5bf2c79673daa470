"""Tests of drafting from an idea: the interview, the LLM drafting, the CLI and the TUI."""
