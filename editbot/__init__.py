"""The application: wires the core (``bot/``) to the platform adapters (``adapters/``)."""
