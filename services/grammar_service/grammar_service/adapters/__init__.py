"""LanguageTool, Content Service, PostgreSQL and Prometheus behind the domain ports."""
