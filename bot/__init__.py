"""atelier-bot: facilitates peer-help workshops (ateliers d'entraide) in chat rooms."""

__all__ = ["__version__"]

__version__ = "0.1.0"
