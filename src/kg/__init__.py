"""unhr-kg: a knowledge graph of the UN human-rights system and the DPRK."""

__version__ = "0.1.0"
