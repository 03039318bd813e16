# OpenStack Day 3: two commands.
#   make lab    set everything up (first run: a few minutes), start the pocket cloud and JupyterLab
#   make test   set everything up and run every test, including every notebook cell (nbval)
#   make test-long  the tests that take minutes each (lessons' second runs, the cloud-init image)
#   make compute  (root, Debian/Ubuntu) QEMU, libvirt and image tools, to boot servers;
#                 `make lab` and `make test` do it themselves when run as root
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test test-long compute system down status bench release clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# compute's system packages: one list, in labkit/cloud/system.py (standard library only)
compute:
	$(PYTHON) labkit/cloud/system.py install

# as root on Debian/Ubuntu: install them (saying what); otherwise: say how to add compute
system:
	@$(PYTHON) labkit/cloud/system.py auto

lab: system $(STAMP)
	$(BIN)/labkit lab

# two steps, one report each: first two workers side by side (tests that share cloud state
# share a worker: tests/parallel_groups.py), then, alone, the tests that stop, kill or
# reconfigure the cloud; both always run, and make fails if either did
test: system $(STAMP)
	$(BIN)/python -m pytest -n 2 --durations=20; parallel=$$?; \
	$(BIN)/python -m pytest -m disruptive --durations=5; alone=$$?; \
	[ $$parallel -eq 0 ] && [ $$alone -eq 0 ]

# the tests marked `long` (lessons' second runs, the cloud-init image): minutes each; CI runs them too
test-long: system $(STAMP)
	$(BIN)/python -m pytest --long -m long --durations=10

down: $(STAMP)
	$(BIN)/labkit cloud down

status: $(STAMP)
	$(BIN)/labkit cloud status

bench: $(STAMP)
	$(BIN)/python benchmarks/cloud_start.py

clean: down
	rm -rf $(VENV) .labkit
