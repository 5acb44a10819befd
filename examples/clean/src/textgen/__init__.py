"""Text generation, installed on the worker as a package."""

from .serve import TextGen

__all__ = ["TextGen"]
