"""The ref rules, one module per rule."""
