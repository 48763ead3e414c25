"""Simulators of the outside parties (Alipay, WeChat Pay, a merchant server), speaking
the real protocols with real keys, for tests and the demo. Not used by the service."""
