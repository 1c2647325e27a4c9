// An ES module handler.
export const handler = async (event, context) => ({
  statusCode: 200,
  statusDescription: '200 OK',
  isBase64Encoded: false,
  headers: { 'content-type': 'text/plain' },
  body: `esm ${context.functionName}`,
});
