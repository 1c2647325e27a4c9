// Fails while Lambda loads it: an init error.
throw new RangeError('the configuration is missing');
