import pytest


def pytest_collection_modifyitems(config, items):
    """Benchmarks run only under `make bench` (-m bench), never in `make test`."""
    if "bench" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="benchmark: run with make bench")
    for item in items:
        if "tests/bench/" in str(item.fspath):
            item.add_marker(skip)
