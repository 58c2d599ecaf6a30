'use strict'
// Streamable HTTP: listenHttp({ port: 0 }), requests via fetch in both eras, close().

const test = require('node:test')
const assert = require('node:assert/strict')
const { PassThrough } = require('node:stream')
const { McpServer, PicomcpError } = require('..')
const { modernMeta, CLIENT_INFO, LEGACY, MODERN, text } = require('./helpers')

const ACCEPT = 'application/json, text/event-stream'

function server() {
  const s = new McpServer({ name: 'http-tests', version: '1.2.3' }, { instructions: 'Be brief.' })
  s.registerTool(
    'echo',
    { inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
    async ({ text: t }) => text(t),
  )
  return s
}

const post = (url, body, headers = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
    // A reply that never comes fails the test instead of hanging it.
    signal: AbortSignal.timeout(3000),
  })

/** The JSON-RPC message of a response: a JSON body, or the one `data:` event of an SSE body. */
async function message(response) {
  const body = await response.text()
  if ((response.headers.get('content-type') || '').startsWith('text/event-stream')) {
    const data = body.split('\n').filter((l) => l.startsWith('data: '))
    assert.equal(data.length, 1, body)
    return JSON.parse(data[0].slice(6))
  }
  return JSON.parse(body)
}

test('listenHttp({ port: 0 }) listens on a real port; a legacy session works over fetch', async (t) => {
  const s = server()
  const listener = await s.listenHttp({ port: 0 })
  t.after(() => s.close())
  assert.equal(listener.host, '127.0.0.1')
  assert.ok(Number.isInteger(listener.port) && listener.port > 0 && listener.port < 65536, String(listener.port))
  assert.equal(listener.url, `http://127.0.0.1:${listener.port}/mcp`)

  const init = await post(listener.url, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: CLIENT_INFO },
  })
  assert.equal(init.status, 200)
  const session = init.headers.get('mcp-session-id')
  assert.match(session || '', /^[\x21-\x7e]+$/)
  assert.deepEqual(await message(init), {
    jsonrpc: '2.0',
    id: 1,
    result: {
      protocolVersion: LEGACY,
      capabilities: { logging: {}, tools: { listChanged: true } },
      serverInfo: { name: 'http-tests', version: '1.2.3' },
      instructions: 'Be brief.',
    },
  })
  const headers = { 'mcp-session-id': session, 'mcp-protocol-version': LEGACY }
  const initialized = await post(listener.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)
  assert.equal(initialized.status, 202)
  await initialized.arrayBuffer()

  const call = await post(
    listener.url,
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'over http' } } },
    headers,
  )
  assert.equal(call.status, 200)
  assert.deepEqual(await message(call), { jsonrpc: '2.0', id: 2, result: text('over http') })

  const invalid = await post(
    listener.url,
    { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: {} } },
    headers,
  )
  assert.deepEqual((await message(invalid)).result, {
    content: [{ type: 'text', text: 'Invalid arguments for tool echo: missing required argument `text`' }],
    isError: true,
  })
})

test('a 2026-07-28 request over HTTP (no session, _meta and Mcp-* headers)', async (t) => {
  const s = server()
  const { url } = await s.listenHttp({ port: 0 })
  t.after(() => s.close())
  const response = await post(
    url,
    { jsonrpc: '2.0', id: 'm1', method: 'tools/call', params: { name: 'echo', arguments: { text: 'modern' }, _meta: modernMeta() } },
    { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
  )
  assert.equal(response.status, 200)
  assert.deepEqual(await message(response), {
    jsonrpc: '2.0',
    id: 'm1',
    result: {
      ...text('modern'),
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'http-tests', version: '1.2.3' } },
    },
  })
})

const initialize = (url) =>
  post(url, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: CLIENT_INFO },
  })

test('close() stops the HTTP listener', async (t) => {
  const s = server()
  const { url } = await s.listenHttp({ port: 0 })
  t.after(() => s.close()) // when an assertion fails before the close below
  const before = await initialize(url)
  await before.arrayBuffer()
  assert.equal(before.status, 200)
  await s.close()
  await assert.rejects(initialize(url), TypeError)
})

test('an HTTP server cannot also serve stdio, nor listen twice (ERR_PICOMCP_STATE)', async (t) => {
  const s = server()
  await s.listenHttp({ port: 0 })
  t.after(() => s.close())
  for (const f of [
    () => s.connectStdio({ stdin: new PassThrough(), stdout: new PassThrough() }),
    () => s.listenHttp({ port: 0 }),
  ]) {
    assert.throws(f, (e) => e instanceof PicomcpError && e.code === 'ERR_PICOMCP_STATE' && /already serves http/.test(e.message))
  }
})
