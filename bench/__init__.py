"""The benchmark harness of GovSocial KG: synthetic data at scale, builds, engine comparison, load test.

Run it with `make bench` (or `.venv/bin/python -m bench --help`); everything it makes goes to bench/out/.
The modules import their heavy dependencies (matplotlib, psutil) only where they are used, so the
generator and the statistics can be tested with the test dependencies alone.
"""
