'use strict'
// Scoped access and HTTP authorization: descriptors with `scopes` are seen only by callers
// holding them (two principals over HTTP with the official TypeScript SDK client; a stdio
// principal with its stdio client), `listenHttp({ auth })` answers 401/403 with the exact
// challenges and serves the RFC 9728 metadata, handlers see `ctx.principal`, and HTTP
// requests past `maxRequests` wait for a slot instead of being refused.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const { PassThrough } = require('node:stream')
const { Client } = require('@modelcontextprotocol/sdk/client/index.js')
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js')
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js')
const { McpServer, ResourceTemplate, InsufficientScopeError, PicomcpError } = require('..')
const { delay, text, start, legacy, bare } = require('./helpers')

const AUTH_SERVER = 'https://auth.example.com'

/** The callers the tests' `verify` knows, by bearer token. */
const TOKENS = {
  'alice-token': { name: 'alice', scopes: ['read', 'admin'] },
  'bob-token': { name: 'bob', scopes: ['read'] },
}

/**
 * A server whose `wipe` tool, `secret` resource, `vault` template and `audit` prompt need
 * `admin`; `whoami` answers with ctx.principal. `withAdmin: false` registers none of the
 * admin things: what a caller without `admin` must not be able to tell apart.
 */
function scopedServer({ withAdmin = true, options } = {}) {
  const s = new McpServer({ name: 'scoped', version: '1.0.0' }, options)
  s.registerTool('whoami', { description: 'Who called' }, (_args, ctx) => text(JSON.stringify(ctx.principal)))
  s.registerTool('lookup', { scopes: ['read'] }, (_args, ctx) => text(`looked up for ${ctx.principal.name}`))
  s.registerResource('readme', 'demo://readme', { mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, text: 'public' }],
  }))
  // (Its completer makes both servers offer completions.)
  s.registerPrompt('hello', { arguments: [{ name: 'who' }], complete: { who: () => ['world'] } }, ({ who }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `hello ${who}` } }],
  }))
  if (withAdmin) {
    s.registerTool('wipe', { description: 'Wipes', scopes: ['admin'] }, (_args, ctx) => text(`wiped by ${ctx.principal.name}`))
    s.registerResource('secret', 'demo://secret', { scopes: ['admin'] }, (uri, ctx) => ({
      contents: [{ uri: uri.href, text: `secret for ${ctx.principal.name}` }],
    }))
    s.registerResource(
      'vault',
      new ResourceTemplate('demo://vault/{id}', { complete: { id: () => ['1', '2'] } }),
      { scopes: ['admin'] },
      (uri, { id }) => ({ contents: [{ uri: uri.href, text: `vault ${id}` }] }),
    )
    s.registerPrompt(
      'audit',
      { arguments: [{ name: 'topic' }], scopes: ['admin', 'read'], complete: { topic: () => ['logs', 'keys'] } },
      ({ topic }, ctx) => ({ messages: [{ role: 'user', content: { type: 'text', text: `audit ${topic} as ${ctx.principal.name}` } }] }),
    )
  }
  return s
}

const verify = (token) => TOKENS[token] || null

/** A server listening with `auth` (verify as given), closed after the test. */
async function listen(t, server, auth = {}) {
  const listener = await server.listenHttp({
    port: 0,
    auth: { verify, authorizationServers: [AUTH_SERVER], scopesSupported: ['read', 'admin'], ...auth },
  })
  t.after(() => server.close())
  return listener
}

/** An SDK client connected over Streamable HTTP with `token` as its bearer token. */
async function sdkClient(t, url, token) {
  const client = new Client({ name: 'access-tests', version: '1.0.0' })
  const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` }
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }))
  t.after(() => client.close())
  return client
}

/** What a client call gave: its result, or its error's code, message and data. */
async function outcome(promise) {
  try {
    return { result: await promise }
  } catch (e) {
    return { code: e.code, message: e.message, data: e.data }
  }
}

const names = (list) => list.map((x) => x.name).sort()

test('two principals see different lists; handlers see ctx.principal', async (t) => {
  const { url } = await listen(t, scopedServer())
  const alice = await sdkClient(t, url, 'alice-token')
  const bob = await sdkClient(t, url, 'bob-token')

  assert.deepEqual(names((await alice.listTools()).tools), ['lookup', 'whoami', 'wipe'])
  assert.deepEqual(names((await bob.listTools()).tools), ['lookup', 'whoami'])
  assert.deepEqual(names((await alice.listResources()).resources), ['readme', 'secret'])
  assert.deepEqual(names((await bob.listResources()).resources), ['readme'])
  assert.deepEqual(names((await alice.listResourceTemplates()).resourceTemplates), ['vault'])
  assert.deepEqual((await bob.listResourceTemplates()).resourceTemplates, [])
  assert.deepEqual(names((await alice.listPrompts()).prompts), ['audit', 'hello'])
  assert.deepEqual(names((await bob.listPrompts()).prompts), ['hello'])

  const who = async (client) => JSON.parse((await client.callTool({ name: 'whoami', arguments: {} })).content[0].text)
  assert.deepEqual(await who(alice), TOKENS['alice-token'])
  assert.deepEqual(await who(bob), TOKENS['bob-token'])
  assert.deepEqual((await alice.callTool({ name: 'wipe', arguments: {} })).content, text('wiped by alice').content)
  assert.deepEqual((await bob.callTool({ name: 'lookup', arguments: {} })).content, text('looked up for bob').content)
  const secret = await alice.readResource({ uri: 'demo://secret' })
  assert.equal(secret.contents[0].text, 'secret for alice')
  assert.equal((await alice.readResource({ uri: 'demo://vault/7' })).contents[0].text, 'vault 7')
  const audit = await alice.getPrompt({ name: 'audit', arguments: { topic: 'keys' } })
  assert.equal(audit.messages[0].content.text, 'audit keys as alice')
})

test('what a caller may not see is indistinguishable from what was never registered', async (t) => {
  const scoped = await listen(t, scopedServer())
  const plain = await listen(t, scopedServer({ withAdmin: false }))
  const bob = await sdkClient(t, scoped.url, 'bob-token')
  const never = await sdkClient(t, plain.url, 'bob-token')

  const same = async (what, f) => {
    const hidden = await outcome(f(bob))
    const absent = await outcome(f(never))
    assert.deepEqual(hidden, absent, what)
    return hidden
  }
  const call = await same('tools/call', (c) => c.callTool({ name: 'wipe', arguments: {} }))
  assert.ok(call.code !== undefined || call.result.isError === true, JSON.stringify(call))
  const read = await same('resources/read', (c) => c.readResource({ uri: 'demo://secret' }))
  assert.equal(read.code, -32002, JSON.stringify(read))
  const template = await same('resources/read of a template', (c) => c.readResource({ uri: 'demo://vault/1' }))
  assert.equal(template.code, -32002, JSON.stringify(template))
  const prompt = await same('prompts/get', (c) => c.getPrompt({ name: 'audit', arguments: { topic: 'x' } }))
  assert.ok(prompt.code !== undefined, JSON.stringify(prompt))
  await same('completion/complete of a prompt', (c) =>
    c.complete({ ref: { type: 'ref/prompt', name: 'audit' }, argument: { name: 'topic', value: '' } }),
  )
  await same('completion/complete of a template', (c) =>
    c.complete({ ref: { type: 'ref/resource', uri: 'demo://vault/{id}' }, argument: { name: 'id', value: '' } }),
  )
  // The same lists, too (the server without admin things registers them not at all).
  assert.deepEqual((await bob.listTools()).tools, (await never.listTools()).tools)
  assert.deepEqual((await bob.listPrompts()).prompts, (await never.listPrompts()).prompts)
})

/** A raw HTTP request: status, headers and body text. */
function request(url, { method = 'POST', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    if (body !== undefined) headers = { ...headers, 'content-length': Buffer.byteLength(body) }
    const req = http.request(url, { method, headers, agent: false, timeout: 3000 }, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (data += chunk))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${url}`)))
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
})

/** POST an initialize with `token` (undefined: no Authorization header). */
const initialize = (url, token) =>
  request(url, {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: INITIALIZE,
  })

test('no token: 401 with the challenge naming the metadata document; bad: invalid_token; under-scoped: 403', async (t) => {
  const server = scopedServer()
  const { url, port } = await listen(t, server, {
    verify: (token) => {
      if (token === 'reader') throw new InsufficientScopeError('admin')
      return verify(token)
    },
  })
  const metadata = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`

  const none = await initialize(url)
  assert.equal(none.status, 401)
  assert.equal(none.headers['www-authenticate'], `Bearer resource_metadata="${metadata}"`)

  const bad = await initialize(url, 'forged')
  assert.equal(bad.status, 401)
  assert.equal(bad.headers['www-authenticate'], `Bearer error="invalid_token", resource_metadata="${metadata}"`)
  assert.equal(JSON.parse(bad.body).error, 'invalid_token')

  const under = await initialize(url, 'reader')
  assert.equal(under.status, 403)
  assert.equal(
    under.headers['www-authenticate'],
    `Bearer error="insufficient_scope", scope="admin", resource_metadata="${metadata}"`,
  )
  assert.equal(JSON.parse(under.body).error, 'insufficient_scope')

  const good = await initialize(url, 'alice-token')
  assert.equal(good.status, 200, good.body)
  assert.match(good.body, /"serverInfo":\{"name":"scoped","version":"1.0.0"\}/)
})

test('the protected-resource metadata document (RFC 9728), default and configured resource', async (t) => {
  const { port } = await listen(t, scopedServer())
  const doc = await request(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`, { method: 'GET' })
  assert.equal(doc.status, 200)
  assert.match(doc.headers['content-type'], /^application\/json/)
  assert.deepEqual(JSON.parse(doc.body), {
    resource: `http://127.0.0.1:${port}/mcp`,
    authorization_servers: [AUTH_SERVER],
    scopes_supported: ['read', 'admin'],
    bearer_methods_supported: ['header'],
  })

  const configured = await listen(t, scopedServer(), { resource: 'https://mcp.example.com/mcp', scopesSupported: undefined })
  const meta = await request(`http://127.0.0.1:${configured.port}/.well-known/oauth-protected-resource/mcp`, { method: 'GET' })
  assert.deepEqual(JSON.parse(meta.body), {
    resource: 'https://mcp.example.com/mcp',
    authorization_servers: [AUTH_SERVER],
    bearer_methods_supported: ['header'],
  })
  const none = await initialize(configured.url)
  assert.equal(none.status, 401)
  assert.equal(
    none.headers['www-authenticate'],
    'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
  )
})

test('verify is asked about a request without a token too: it may let anonymous callers in', async (t) => {
  const server = scopedServer()
  const asked = []
  const { url } = await listen(t, server, {
    verify: (token) => {
      asked.push(token)
      return token === null ? { name: 'guest', scopes: [] } : verify(token)
    },
  })
  const client = await sdkClient(t, url)
  const { tools } = await client.listTools()
  assert.ok(tools.length > 0)
  assert.deepEqual(tools.map((tool) => tool.name).sort(), ['whoami'], 'the guest holds no scopes')
  assert.deepEqual([...new Set(asked)], [null])
})

test('an async verify: requests wait for it; its answer is kept for cacheSeconds', async (t) => {
  const asked = []
  const { url } = await listen(t, scopedServer(), {
    cacheSeconds: 60,
    verify: async (token) => {
      asked.push(token)
      await delay(30)
      if (token === 'reader') throw new InsufficientScopeError('admin read')
      return verify(token)
    },
  })
  const [a, b] = await Promise.all([initialize(url, 'alice-token'), initialize(url, 'alice-token')])
  assert.equal(a.status, 200, a.body)
  assert.equal(b.status, 200, b.body)
  assert.equal((await initialize(url, 'forged')).status, 401)
  const under = await initialize(url, 'reader')
  assert.equal(under.status, 403)
  assert.match(under.headers['www-authenticate'], /^Bearer error="insufficient_scope", scope="admin read", /)
  assert.equal((await initialize(url, 'alice-token')).status, 200)
  // One question per token: both concurrent requests waited for the same answer.
  assert.deepEqual(asked, ['alice-token', 'forged', 'reader'])

  // The SDK client through an async verify, and ctx.principal from it.
  const alice = await sdkClient(t, url, 'alice-token')
  const whoami = await alice.callTool({ name: 'whoami', arguments: {} })
  assert.deepEqual(JSON.parse(whoami.content[0].text), TOKENS['alice-token'])
})

test('a verify that throws (or rejects, or returns garbage) gives 401 and a warning; serving goes on', async (t) => {
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  t.after(() => process.off('warning', onWarning))
  const { url } = await listen(t, scopedServer(), {
    cacheSeconds: 0,
    verify: (token) => {
      if (token === 'boom') throw new Error('the token service is down')
      if (token === 'later-boom') return Promise.reject(new Error('introspection failed'))
      if (token === 'garbage') return { name: 42 }
      return verify(token)
    },
  })
  for (const token of ['boom', 'later-boom', 'garbage']) {
    const r = await initialize(url, token)
    assert.equal(r.status, 401, token)
    assert.match(r.headers['www-authenticate'], /^Bearer error="invalid_token", resource_metadata="/)
  }
  await delay(10) // warnings are emitted on the next tick
  const texts = warnings.filter((w) => w.code === 'PICOMCP_AUTH_VERIFY').map((w) => w.message)
  assert.equal(texts.length, 3, texts.join('\n'))
  assert.match(texts[0], /the token service is down/)
  assert.match(texts[1], /introspection failed/)
  assert.match(texts[2], /name: string, scopes: string\[\]/)

  const alice = await sdkClient(t, url, 'alice-token')
  assert.deepEqual(names((await alice.listTools()).tools), ['lookup', 'whoami', 'wipe'])
})

test('HTTP requests past maxRequests wait for a slot: every concurrent call is answered', async (t) => {
  const s = new McpServer({ name: 'busy', version: '1.0.0' }, { maxRequests: 2 })
  let running = 0
  let most = 0
  s.registerTool('slow', { inputSchema: { type: 'object', properties: { i: { type: 'number' } } } }, async ({ i }, ctx) => {
    running++
    most = Math.max(most, running)
    await delay(40)
    running--
    return text(`done ${i} for ${ctx.principal.name}`)
  })
  const { url } = await listen(t, s, { verify: async (token) => (await delay(5), verify(token)) })
  const client = await sdkClient(t, url, 'bob-token')
  const calls = Array.from({ length: 8 }, (_, i) => client.callTool({ name: 'slow', arguments: { i } }))
  const results = await Promise.all(calls)
  assert.deepEqual(
    results.map((r) => r.content[0].text),
    Array.from({ length: 8 }, (_, i) => `done ${i} for bob`),
  )
  assert.equal(most, 2)

  // Raw connections too, each its own socket, without sessions (2026-07-28 requests).
  const modern = (i) =>
    request(url, {
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: 'Bearer alice-token',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'slow',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: i,
        method: 'tools/call',
        params: {
          name: 'slow',
          arguments: { i },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
          },
        },
      }),
    })
  const raw = await Promise.all(Array.from({ length: 6 }, (_, i) => modern(i)))
  for (const [i, r] of raw.entries()) {
    assert.equal(r.status, 200, r.body)
    assert.match(r.body, new RegExp(`"text":"done ${i} for alice"`))
  }
  assert.equal(most, 2)
})

test('HTTP without auth: no challenge, callers are anonymous and see only what needs no scopes', async (t) => {
  const s = scopedServer()
  const { url } = await s.listenHttp({ port: 0 })
  t.after(() => s.close())
  const client = await sdkClient(t, url)
  assert.deepEqual(names((await client.listTools()).tools), ['whoami'])
  assert.equal((await client.callTool({ name: 'whoami', arguments: {} })).content[0].text, 'null')
})

/** A script serving scopedServer() over stdio as `principal` (JSON in argv, or none). */
const STDIO_SERVER = `
const { McpServer } = require(${JSON.stringify(path.join(__dirname, '..'))})
const s = new McpServer({ name: 'stdio-scoped', version: '1.0.0' })
s.registerTool('whoami', {}, (_a, ctx) => ({ content: [{ type: 'text', text: JSON.stringify(ctx.principal) }] }))
s.registerTool('deploy', { scopes: ['ops'] }, (_a, ctx) => ({ content: [{ type: 'text', text: 'deployed by ' + ctx.principal.name }] }))
const principal = process.argv[1] ? JSON.parse(process.argv[1]) : undefined
s.connectStdio({ principal })
`

async function stdioClient(t, principal) {
  const args = ['-e', STDIO_SERVER]
  if (principal !== undefined) args.push(JSON.stringify(principal))
  const client = new Client({ name: 'access-tests', version: '1.0.0' })
  await client.connect(new StdioClientTransport({ command: process.execPath, args, stderr: 'inherit' }))
  t.after(() => client.close())
  return client
}

test('a stdio principal sees its scoped tools; an anonymous peer does not', async (t) => {
  const ops = await stdioClient(t, { name: 'ci', scopes: ['ops'] })
  assert.deepEqual(names((await ops.listTools()).tools), ['deploy', 'whoami'])
  assert.equal((await ops.callTool({ name: 'deploy', arguments: {} })).content[0].text, 'deployed by ci')
  const who = await ops.callTool({ name: 'whoami', arguments: {} })
  assert.deepEqual(JSON.parse(who.content[0].text), { name: 'ci', scopes: ['ops'] })

  const anonymous = await stdioClient(t)
  assert.deepEqual(names((await anonymous.listTools()).tools), ['whoami'])
  assert.equal((await anonymous.callTool({ name: 'whoami', arguments: {} })).content[0].text, 'null')
  const hidden = await outcome(anonymous.callTool({ name: 'deploy', arguments: {} }))
  const never = await outcome(anonymous.callTool({ name: 'undeploy', arguments: {} }))
  assert.deepEqual(JSON.parse(JSON.stringify(hidden).replaceAll('deploy', 'X')), JSON.parse(JSON.stringify(never).replaceAll('undeploy', 'X')))
})

test('update({ scopes }) changes who sees a tool (list_changed is sent); completers see the principal', async () => {
  const s = new McpServer({ name: 'update', version: '1.0.0' })
  const tool = s.registerTool('deploy', { scopes: ['ops'] }, (_args, ctx) => text(ctx.principal.name))
  const seen = []
  s.registerPrompt('p', { arguments: [{ name: 'a' }], complete: { a: (_v, { principal }) => (seen.push(principal), ['x']) } }, () => ({
    messages: [],
  }))
  const client = start(s, { era: 'legacy', principal: { name: 'dev', scopes: ['read'] } })
  await client.initialize()
  const list = async () => (await client.request('tools/list')).result.tools.map((t) => t.name)
  assert.deepEqual(await list(), [])
  const unknown = await client.call('deploy')
  const from = client.lines.length
  tool.update({ scopes: ['read'] })
  await client.waitFor((m) => m.method === 'notifications/tools/list_changed', { from })
  assert.deepEqual(await list(), ['deploy'])
  assert.deepEqual(bare((await client.call('deploy')).result), text('dev'))
  tool.update({ scopes: ['read', 'ops'] })
  assert.deepEqual(await client.call('deploy', {}, { id: unknown.id }), unknown)
  await client.request('completion/complete', { ref: { type: 'ref/prompt', name: 'p' }, argument: { name: 'a', value: '' } })
  assert.deepEqual(seen, [{ name: 'dev', scopes: ['read'] }])
  assert.ok(Object.isFrozen(seen[0]))
  await client.close()

  // Anonymous over stdio (no principal): only what needs no scopes.
  const anon = new McpServer({ name: 'anon', version: '1.0.0' })
  anon.registerTool('deploy', { scopes: ['ops'] }, () => text('no'))
  const anonymous = await legacy(anon)
  assert.deepEqual((await anonymous.request('tools/list')).result.tools, [])
  await anonymous.close()
})

test('misuse: scopes, principal and auth are checked (ERR_PICOMCP_INVALID)', async () => {
  const invalid = (f, re) =>
    assert.throws(f, (e) => e instanceof PicomcpError && e.code === 'ERR_PICOMCP_INVALID' && re.test(e.message))
  const s = new McpServer({ name: 'misuse', version: '1.0.0' })
  invalid(() => s.registerTool('t', { scopes: 'admin' }, () => text('')), /scopes must be an array of non-empty strings/)
  invalid(() => s.registerTool('t', { scopes: [''] }, () => text('')), /scopes/)
  invalid(() => s.registerResource('r', 'demo://r', { scopes: [1] }, () => null), /scopes/)
  invalid(() => s.registerPrompt('p', { scopes: {} }, () => ({ messages: [] })), /scopes/)
  const stdio = { stdin: new PassThrough(), stdout: new PassThrough() }
  invalid(() => s.connectStdio({ ...stdio, principal: { name: 'x' } }), /principal must be \{ name: string, scopes: string\[\] \}/)
  invalid(() => s.listenHttp({ port: 0, auth: { authorizationServers: [] } }), /auth.verify must be a function/)
  invalid(() => s.listenHttp({ port: 0, auth: { verify, authorizationServers: 'x' } }), /authorizationServers/)
  invalid(() => s.listenHttp({ port: 0, auth: { verify, authorizationServers: [], cacheSeconds: -1 } }), /cacheSeconds/)
  // Nothing was started by the refusals: the server still serves.
  const served = s.connectStdio(stdio)
  stdio.stdin.end()
  await served
  const e = new InsufficientScopeError('admin write')
  assert.equal(e.scope, 'admin write')
  assert.equal(e.name, 'InsufficientScopeError')
  assert.ok(e instanceof Error)
})
