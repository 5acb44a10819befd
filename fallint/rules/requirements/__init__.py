"""The requirements rules, one module per rule."""
