"""Clients of the downstream services and the Kafka publisher."""
