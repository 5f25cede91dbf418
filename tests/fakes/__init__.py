"""Loopback servers that speak the real protocols, keep what they received and inject faults."""
