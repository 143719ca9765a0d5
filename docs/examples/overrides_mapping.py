from injectkit import Container

container = Container()


class PaymentGateway:
    def charge(self, cents: int) -> str:
        return f"charged {cents} for real"


class SandboxGateway(PaymentGateway):
    def charge(self, cents: int) -> str:
        return f"pretended to charge {cents}"


container.register(PaymentGateway)


@container.inject
def checkout(cents: int, gateway: PaymentGateway) -> str:
    return gateway.charge(cents)


container.overrides[PaymentGateway] = SandboxGateway  # until removed
print(checkout(500))
del container.overrides[PaymentGateway]
print(checkout(500))

# Output:
# pretended to charge 500
# charged 500 for real
