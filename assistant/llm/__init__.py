"""The LLM coaching engine: client, prompts, structured output, guards, cache, cost, batch.

Nothing in this package imports ``openai`` at module import time; the SDK is loaded
only when a client is built, so ``okr --help`` and the rules engine stay fast.
"""
