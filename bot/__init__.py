"""Chat commands, platform adapters, schedules and delivery, built on `content`."""

__version__ = "0.1.0"
