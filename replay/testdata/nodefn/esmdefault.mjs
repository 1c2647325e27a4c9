// The handler under "default": Lambda does not look there
// (Runtime.HandlerNotFound), so neither does albcheck.
export default { handler: async () => ({ statusCode: 200 }) };
