"""Starting a channel registers the case router, so open cases receive the migrant's messages
and what the channel sent them."""
from channels import hooks


def test_case_routing_is_installed_once():
    before = len(hooks.INBOUND_HOOKS)
    hooks.install_case_routing()
    hooks.install_case_routing()
    from cases.routing import on_inbound

    wrapped = [h for h in hooks.INBOUND_HOOKS if getattr(h, "__wrapped__", None) is on_inbound]
    assert len(wrapped) == 1
    assert len(hooks.INBOUND_HOOKS) <= before + 1
    from cases.routing import on_outbound

    assert len([h for h in hooks.OUTBOUND_HOOKS if getattr(h, "__wrapped__", None) is on_outbound]) == 1
