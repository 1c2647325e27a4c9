// A .js file that is an ES module, by its package.json's "type".
export const handler = async (event, context) => ({
  statusCode: 200,
  statusDescription: '200 OK',
  isBase64Encoded: false,
  headers: { 'content-type': 'text/plain' },
  body: `type module ${context.awsRequestId.length}`,
});
