import pytest
from app import container


@pytest.fixture(scope="session")
def injectkit_container():
    return container
