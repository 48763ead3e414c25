"""Where the parts meet: settings in, a running API or worker out.

This is the only package that knows every part (store, executors, dispatcher,
service, API, domain). Everything else receives what it needs as arguments.
"""
