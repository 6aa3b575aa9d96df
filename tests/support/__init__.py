"""What the tests share, in modules that are not tests (no test module imports another test module or
a conftest): ``data`` (constants and sample files), ``processes`` (real servers and subprocesses),
``servers`` (server fixtures, a plugin), ``world`` (the users per role, employers, teams, organisations
and cases, a plugin), ``tracking`` (helpers for the tracking tests), ``urls`` (the URL pattern walk).
Plugins are registered by the root ``tests/conftest.py`` (``pytest_plugins``)."""
