"""The package version, in its own module so nothing inside the package imports the package root."""

__version__ = "0.2.0"
