# Fails while Lambda imports it: an init error.
raise RuntimeError("the configuration is missing")
