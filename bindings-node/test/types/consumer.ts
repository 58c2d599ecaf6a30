// A small TypeScript consumer of the public typings (index.d.ts), checked by
// `tsc -p test/types` (`npm run check-types`); never run.
import { ErrorCode, InsufficientScopeError, McpError, McpServer, PicomcpError, ResourceTemplate } from 'picomcp'
import type { CallToolResult, HttpAuthOptions, Principal, RequestContext } from 'picomcp'
import { z } from 'zod'

const server = new McpServer({ name: 'typed', version: '1.0.0' }, { instructions: 'Typed.', maxRequests: 16 })

const add = server.registerTool<{ a: number; b: number }>(
  'add',
  {
    title: 'Add',
    description: 'Adds',
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    outputSchema: { type: 'object', properties: { sum: { type: 'number' } } },
    annotations: { readOnlyHint: true },
  },
  async ({ a, b }, ctx: RequestContext): Promise<CallToolResult> => {
    ctx.sendProgress(1, 2, 'half way')
    if (ctx.signal.aborted) throw new Error('cancelled')
    return { content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }
  },
)
add.disable()
add.enable()
add.update({ description: 'Adds two numbers' })
const enabled: boolean = add.enabled
add.remove()

server.registerTool('shout', { inputSchema: { text: z.string() } }, ({ text }: { text: string }) => ({
  content: [{ type: 'text', text: text.toUpperCase() }],
}))

server.registerResource('readme', 'demo://readme', { mimeType: 'text/plain' }, (uri) => ({
  contents: [{ uri: uri.href, text: 'hello' }],
}))
server.registerResource(
  'item',
  new ResourceTemplate('demo://items/{id}', { complete: { id: (value) => ['1', '2'].filter((v) => v.startsWith(value)) } }),
  { mimeType: 'text/plain' },
  async (uri, { id }) => (id === '0' ? null : { contents: [{ uri: uri.href, blob: 'aGk=' }] }),
)
server.registerPrompt(
  'greet',
  { argsSchema: { name: z.string() }, complete: { name: async () => ['Ada'] } },
  ({ name }: { name: string }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}` } }] }),
)
server.sendLoggingMessage({ level: 'info', data: { enabled } })

server.registerTool('admin', { scopes: ['admin'] }, (_args, ctx) => {
  const who: Principal | null = ctx.principal
  const scopes: readonly string[] = who === null ? [] : who.scopes
  return { content: [{ type: 'text', text: `${who?.name}: ${scopes.join(' ')}` }] }
})
server.registerResource('secret', 'demo://secret', { scopes: ['admin'] }, () => null)
server.registerPrompt('private', { scopes: ['admin', 'prompts'] }, () => ({ messages: [] }))

const auth: HttpAuthOptions = {
  authorizationServers: ['https://auth.example.com'],
  scopesSupported: ['read', 'admin'],
  resource: 'https://mcp.example.com/mcp',
  cacheSeconds: 30,
  async verify(token: string): Promise<Principal | null> {
    if (token === 'reader') throw new InsufficientScopeError('admin')
    return token === 'ok' ? { name: 'alice', scopes: ['admin'] } : null
  },
}
const syncAuth: HttpAuthOptions = { authorizationServers: [], verify: (token) => (token ? { name: token, scopes: [] } : null) }
void syncAuth

function misuse(e: unknown): string {
  if (e instanceof PicomcpError) return e.code
  if (e instanceof McpError && e.code === ErrorCode.InvalidParams) return 'params'
  return 'other'
}
misuse(null)

async function main(): Promise<void> {
  const listener = await server.listenHttp({ port: 0, auth })
  const port: number = listener.port
  await listener.close()
  await server.connectStdio({ stdin: process.stdin, stdout: process.stdout, principal: { name: 'me', scopes: ['admin'] } })
  await server.close()
  void port
}
void main
