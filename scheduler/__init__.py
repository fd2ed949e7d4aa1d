"""Dispatch engine: claims due schedule rows and delivers them at Telegram's pace."""
