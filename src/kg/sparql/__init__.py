"""SPARQL operations: classification, policy, and evaluation requests."""
