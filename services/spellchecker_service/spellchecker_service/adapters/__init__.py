"""Dictionaries, the Content Service client and the database."""
