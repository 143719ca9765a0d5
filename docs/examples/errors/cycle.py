from injectkit import Container

container = Container()


class Orders:
    def __init__(self, billing: "Billing") -> None:
        self.billing = billing


class Billing:
    def __init__(self, customers: "Customers") -> None:
        self.customers = customers


class Customers:
    def __init__(self, orders: Orders) -> None:
        self.orders = orders


@container.inject
def handler(orders: Orders) -> None:
    pass


container.register(Orders)
container.register(Billing)
container.register(Customers)
container.validate()
