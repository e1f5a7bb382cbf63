"""Catalog rows (see keras_acts/activations.py for the conventions)."""

__all__ = []
