"""The runtime rules, one module per rule."""
