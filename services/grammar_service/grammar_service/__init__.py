"""Grammar Service: grammar checks essays with LanguageTool (Kafka worker)."""
