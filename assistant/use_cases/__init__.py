"""The use cases, one class per area, each an async method with one body.

``assistant.app.App`` is composed of these classes; a face (CLI, TUI) calls
``await app.save(...)``, never a service or the store directly. Each method reads
what it needs from the ``AppBase`` fields (the store, the settings, the clock, the
data home's paths) and delegates the work to ``assistant.services``.
"""
