"""The web layer: blueprints, forms, and request-wide security."""
