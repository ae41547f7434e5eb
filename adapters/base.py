"""What an adapter implements, re-exported from ``bot.ports`` for adapter authors."""

from bot.ports import Adapter, DeliveryError, Sink

__all__ = ["Adapter", "DeliveryError", "Sink"]
