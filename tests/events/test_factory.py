import pytest

from gateway.events import MemoryBus, RedisBus, create_bus


@pytest.mark.parametrize("url", [None, ""])
def test_without_a_redis_url_the_bus_is_in_process(url):
    assert isinstance(create_bus(url), MemoryBus)


def test_with_a_redis_url_the_bus_is_redis():
    assert isinstance(create_bus("redis://127.0.0.1:6379/0"), RedisBus)
