"""secops: network and data security operations for China's education system."""

__version__ = "0.1.0"
