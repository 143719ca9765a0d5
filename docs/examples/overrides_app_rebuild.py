from collections.abc import Iterator

from injectkit import Container

container = Container()


class Settings:
    def __init__(self, url: str) -> None:
        self.url = url


class ApiClient:
    def __init__(self, settings: Settings) -> None:
        print(f"  client built for {settings.url}")
        self.url = settings.url


@container.provider(scope="app")
def settings() -> Settings:
    return Settings("https://api.example.com")


@container.provider(scope="app")
def api_client(settings: Settings) -> Iterator[ApiClient]:
    client = ApiClient(settings)
    yield client
    print(f"  client for {client.url} closed")


@container.inject
def fetch(client: ApiClient) -> str:
    return client.url


print(fetch())
print(fetch())  # app-scoped: built once
with container.override(Settings, Settings("http://localhost:8000")):
    print(fetch())  # built from the replacement, not reused
print(fetch())  # the original instance comes back
container.close()

# Output:
#   client built for https://api.example.com
# https://api.example.com
# https://api.example.com
#   client built for http://localhost:8000
# http://localhost:8000
# https://api.example.com
#   client for http://localhost:8000 closed
#   client for https://api.example.com closed
