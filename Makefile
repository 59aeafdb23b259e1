# HuleEdu developer commands. `make up` starts everything; `make test` runs the whole suite.
SHELL := /bin/bash
export PDM_CHECK_UPDATE := false

.PHONY: help install infra-up infra-down infra-status up down restart status test lint typecheck \
        test-unit test-integration test-e2e test-web web drill bench topics admin demo token backup \
        restore dashboards contracts facts

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: ## Install Debian packages, pdm, the locked Python env, Kafka's and LanguageTool's jars, the compose CLI (idempotent)
	@scripts/infra/install.sh

infra-up: ## Start PostgreSQL, Redis, Kafka, LanguageTool, Prometheus, Alertmanager, alert receiver, exporters; databases, topics
	@scripts/infra/infra.sh up

infra-down: ## Stop the infrastructure this project started (by pid)
	@scripts/infra/infra.sh down

infra-status: ## Show whether PostgreSQL, Redis, Kafka, LanguageTool and the operators' console answer
	@scripts/infra/infra.sh status

up: ## Start infrastructure and every service in the background; wait until healthy
	@scripts/infra/infra.sh up
	@scripts/stack.sh up

down: ## Stop every service, then the infrastructure
	@scripts/stack.sh down
	@scripts/infra/infra.sh down

restart: ## Restart one service's processes (migrations only if behind), e.g. make restart SERVICE=file_service
	@scripts/stack.sh restart "$(SERVICE)"

status: ## Infrastructure and service health
	@scripts/infra/infra.sh status || true
	@scripts/stack.sh status

test: ## Lint, types, unit, integration and e2e tests (starts and stops what it needs)
	@scripts/test.sh all

lint: ## ruff check and ruff format --check
	@scripts/test.sh lint

typecheck: ## mypy (strict on libs)
	@scripts/test.sh types

test-unit: ## Unit tests only (no I/O)
	@scripts/test.sh unit

test-integration: ## Integration tests (starts infrastructure if needed)
	@scripts/test.sh integration

test-e2e: ## End-to-end tests against the running stack (browser tests included)
	@scripts/test.sh e2e

test-web: ## The teacher web app's vue-tsc typecheck and vitest unit tests
	@scripts/test.sh web

web: ## Build the teacher web app (clients/teacher_web/dist, served at http://127.0.0.1:8080/)
	@scripts/web.sh build

demo: ## Run a sample English and Swedish batch through the running stack (make up first)
	@PYTHONPATH=tests/support .venv/bin/python scripts/demo.py

drill: ## Outage drill on the running stack: Kafka down 60 s, Redis down 30 s; prints recovery times
	@PYTHONPATH=tests/support .venv/bin/python scripts/outage_drill.py $(ARGS)

bench: ## Benchmarks; they print numbers (starts infrastructure if needed)
	@scripts/bench.sh

token: ## Development only: print a gateway token for a teacher, e.g. make token USER=anna
	@.venv/bin/huleedu token --user "$(USER)"

topics: ## Create any missing registry topic and DLQ
	@.venv/bin/python scripts/bootstrap_topics.py

admin: ## Run huleedu-admin, e.g. make admin ARGS="outbox"
	@.venv/bin/huleedu-admin $(ARGS)

dashboards: ## Regenerate the Grafana dashboards and provisioning under observability/grafana/
	@.venv/bin/python observability/grafana/generate.py

contracts: ## Regenerate documentation/asyncapi.yaml, the event schemas and documentation/notifications.json; refuses breaking changes
	@.venv/bin/python scripts/contracts.py

facts: ## Code facts: product vs test lines, long modules and functions, layering, import cycles (ARGS=--json)
	@.venv/bin/python scripts/code_facts.py $(ARGS)

backup: ## Dump every service database (pg_dump -Fc) and a manifest into TO=dir (default .local/backups/<UTC time>)
	@.venv/bin/python scripts/backup.py backup $(if $(TO),--to "$(TO)")

restore: ## Restore a backup into the stopped stack, e.g. make restore FROM=.local/backups/20260101T020000Z
	@$(if $(FROM),,$(error usage: make restore FROM=<backup directory>))
	@.venv/bin/python scripts/backup.py restore --from "$(FROM)"
