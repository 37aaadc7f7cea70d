"""Registries are data: models and metrics declare what they are; plugins use the same register functions."""
