from injectkit import Container


class Settings:
    def __init__(self) -> None:
        self.greeting = "Hello"


container = Container()


@container.provider(scope="app")
def load_settings() -> Settings:
    print("loading settings")
    return Settings()


@container.inject
def greet(name: str, settings: Settings) -> str:
    return f"{settings.greeting}, {name}!"


print(greet("Ada"))
print(greet(name="Grace"))

# Output:
# loading settings
# Hello, Ada!
# Hello, Grace!
