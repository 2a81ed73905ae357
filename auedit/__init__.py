"""AUEdit: a FACS Action Unit expression editor."""

__version__ = "0.1.0"
