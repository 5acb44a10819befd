"""The interplay rules, one module per rule."""
