from injectkit import Container

container = Container()


@container.inject
def tag(names: [str]) -> None:  # a list holding a type, not a type
    pass


tag(names=["a", "b"])
