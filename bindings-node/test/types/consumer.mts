// The ES module entry's typings (import from an .mts file).
import { McpServer, ResourceTemplate } from 'picomcp'

const server = new McpServer({ name: 'esm', version: '1.0.0' })
server.registerResource('t', new ResourceTemplate('x://{id}'), {}, (uri, { id }) => ({ contents: [{ uri: uri.href, text: id }] }))
export default server
