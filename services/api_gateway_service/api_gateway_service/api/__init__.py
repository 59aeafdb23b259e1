"""Public HTTP routes of the gateway."""
