"""Shared by handlers: the typed context and how to reach the services."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.services.container import ServiceContainer

BotContext = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
SERVICES_KEY = "services"


def services_of(context: BotContext) -> ServiceContainer:
    container = context.bot_data[SERVICES_KEY]
    if not isinstance(container, ServiceContainer):
        raise TypeError("bot_data has no ServiceContainer; build the app with bot.app")
    return container
