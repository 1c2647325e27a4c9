// A module that ends the process, status 0, as it is loaded.
process.exit(0);
