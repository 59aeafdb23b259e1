"""HuleEdu result_aggregator_service."""
