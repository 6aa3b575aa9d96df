# The two commands: `make run` (portal, worker and beat) and `make test` (ruff, then the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
# `make run` serves on PORT (default 8000); links in emails and calendar feeds follow it unless SITE_URL is set.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install check-system bench clean messages

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

check-system: $(STAMP)
	@$(BIN)/python manage.py check_system

run: check-system
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py load_demo_employers
	PORT=$(PORT) SITE_URL=$(SITE_URL) $(BIN)/honcho -p $(PORT) -f deploy/Procfile.dev start

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf var/celery var/mail var/static

# The interface's translations (locale/<lang>/LC_MESSAGES): collect the strings, then compile the .mo files
# (both are committed; tests/core/test_translations.py fails when a .mo is stale). Needs GNU gettext.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l de -l fr --no-wrap --no-location --ignore=.venv --ignore='var/*' \
		--ignore='tests/*' --ignore='templates/letters/*' --ignore='templates/emails/*'
	$(BIN)/python manage.py compilemessages --ignore=.venv
