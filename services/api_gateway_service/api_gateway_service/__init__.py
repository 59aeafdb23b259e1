"""HuleEdu api_gateway_service."""
