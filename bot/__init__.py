"""Sciatica exercise-reminder Telegram bot."""
