// Requires a package that is not installed: Runtime.ImportModuleError.
require('left-pad-that-is-not-there');
exports.handler = async () => ({});
