'use strict'
// Misuse of the API throws PicomcpError with a code: ERR_PICOMCP_INVALID (a bad argument),
// ERR_PICOMCP_DUPLICATE (a taken name) or ERR_PICOMCP_STATE (a call at the wrong time).

const test = require('node:test')
const assert = require('node:assert/strict')
const { PassThrough } = require('node:stream')
const { McpServer, ResourceTemplate, PicomcpError } = require('..')
const { start, legacy, bare, text } = require('./helpers')

const newServer = (options) => new McpServer({ name: 'misuse', version: '1.0.0' }, options)
const noop = () => text('ok')

/** `f` throws a PicomcpError (an Error) with `code`, whose message matches `message`. */
function throwsPicomcp(f, code, message) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof Error, 'an Error')
    assert.ok(e instanceof PicomcpError, 'a PicomcpError')
    assert.equal(e.name, 'PicomcpError')
    assert.equal(e.code, code)
    if (message !== undefined) assert.match(e.message, message)
    return true
  })
}

test('a duplicate tool, prompt, resource URI or template throws ERR_PICOMCP_DUPLICATE', () => {
  const s = newServer()
  s.registerTool('t', {}, noop)
  throwsPicomcp(() => s.registerTool('t', {}, noop), 'ERR_PICOMCP_DUPLICATE', /"t"/)
  s.registerPrompt('p', {}, () => ({ messages: [] }))
  throwsPicomcp(() => s.registerPrompt('p', {}, () => ({ messages: [] })), 'ERR_PICOMCP_DUPLICATE', /"p"/)
  s.registerResource('r', 'test://r', {}, () => null)
  throwsPicomcp(() => s.registerResource('r2', 'test://r', {}, () => null), 'ERR_PICOMCP_DUPLICATE', /test:\/\/r/)
  s.registerResource('tpl', new ResourceTemplate('test://items/{id}'), {}, () => null)
  throwsPicomcp(
    () => s.registerResource('tpl2', new ResourceTemplate('test://items/{id}'), {}, () => null),
    'ERR_PICOMCP_DUPLICATE',
    /test:\/\/items\/\{id\}/,
  )
  // Other kinds do not collide: a prompt may share a tool's name.
  s.registerPrompt('t', {}, () => ({ messages: [] }))
})

test('a callback that is not a function throws ERR_PICOMCP_INVALID', () => {
  const s = newServer()
  throwsPicomcp(() => s.registerTool('t', {}, 'nope'), 'ERR_PICOMCP_INVALID', /callback must be a function/)
  throwsPicomcp(() => s.registerTool('t', {}), 'ERR_PICOMCP_INVALID', /callback must be a function/)
  throwsPicomcp(() => s.registerPrompt('p', {}, {}), 'ERR_PICOMCP_INVALID', /callback must be a function/)
  throwsPicomcp(() => s.registerResource('r', 'test://r', {}, null), 'ERR_PICOMCP_INVALID', /callback must be a function/)
  // Nothing was registered: the names are still free.
  s.registerTool('t', {}, noop)
  s.registerPrompt('p', {}, () => ({ messages: [] }))
  s.registerResource('r', 'test://r', {}, () => null)
})

test('a bad schema or configuration throws ERR_PICOMCP_INVALID', () => {
  const s = newServer()
  throwsPicomcp(() => s.registerTool('t', { inputSchema: { type: 'string' } }, noop), 'ERR_PICOMCP_INVALID', /inputSchema/)
  throwsPicomcp(() => s.registerTool('t', { inputSchema: [] }, noop), 'ERR_PICOMCP_INVALID', /inputSchema/)
  throwsPicomcp(() => s.registerTool('t', { inputSchema: 'object' }, noop), 'ERR_PICOMCP_INVALID', /inputSchema/)
  throwsPicomcp(() => s.registerTool('t', { description: 5 }, noop), 'ERR_PICOMCP_INVALID', /description must be a string/)
  throwsPicomcp(() => s.registerTool('t', 'config', noop), 'ERR_PICOMCP_INVALID', /configuration must be an object/)
  throwsPicomcp(() => s.registerTool(42, {}, noop), 'ERR_PICOMCP_INVALID', /name must be a string/)
  throwsPicomcp(() => s.registerResource('r', 42, {}, () => null), 'ERR_PICOMCP_INVALID', /URI must be a string/)
  throwsPicomcp(() => s.registerPrompt('p', { arguments: 'name' }, () => ({})), 'ERR_PICOMCP_INVALID', /arguments/)
  throwsPicomcp(
    () => s.registerPrompt('p', { complete: { name: 'not a function' } }, () => ({})),
    'ERR_PICOMCP_INVALID',
    /complete/,
  )
  throwsPicomcp(() => new ResourceTemplate(42), 'ERR_PICOMCP_INVALID', /URI template/)
  throwsPicomcp(() => new ResourceTemplate('test://{x}', { list: () => [] }), 'ERR_PICOMCP_INVALID', /list/)
  // None of them took the name.
  s.registerTool('t', {}, noop)
})

test('bad server options throw ERR_PICOMCP_INVALID', () => {
  for (const maxRequests of [-1, 1.5, '2', 0, 70000]) {
    throwsPicomcp(() => newServer({ maxRequests }), 'ERR_PICOMCP_INVALID', /max_?requests/i)
  }
  throwsPicomcp(() => newServer({ pageSize: -1 }), 'ERR_PICOMCP_INVALID', /pageSize/)
  throwsPicomcp(() => newServer({ instructions: 1 }), 'ERR_PICOMCP_INVALID', /instructions/)
  throwsPicomcp(() => new McpServer({ name: 'x' }), 'ERR_PICOMCP_INVALID', /serverInfo/)
  throwsPicomcp(() => new McpServer('x'), 'ERR_PICOMCP_INVALID', /serverInfo/)
  // The limits themselves are fine.
  newServer({ maxRequests: 1 })
  newServer({ maxRequests: 65536 })
})

test('connectStdio twice, or listenHttp while serving stdio, throws ERR_PICOMCP_STATE', async () => {
  const s = newServer()
  const client = start(s)
  throwsPicomcp(
    () => s.connectStdio({ stdin: new PassThrough(), stdout: new PassThrough() }),
    'ERR_PICOMCP_STATE',
    /already serves stdio/,
  )
  throwsPicomcp(() => s.listenHttp({ port: 0 }), 'ERR_PICOMCP_STATE', /already serves stdio/)
  await client.close()
  // Once stdin closed the server is done; it does not serve again.
  throwsPicomcp(() => s.connectStdio({ stdin: new PassThrough(), stdout: new PassThrough() }), 'ERR_PICOMCP_STATE')
})

test('using a removed handle throws ERR_PICOMCP_STATE', () => {
  const s = newServer()
  const handles = [
    s.registerTool('t', {}, noop),
    s.registerPrompt('p', {}, () => ({ messages: [] })),
    s.registerResource('r', 'test://r', {}, () => null),
    s.registerResource('tpl', new ResourceTemplate('test://items/{id}'), {}, () => null),
  ]
  for (const h of handles) {
    h.remove()
    throwsPicomcp(() => h.enable(), 'ERR_PICOMCP_STATE', /removed/)
    throwsPicomcp(() => h.disable(), 'ERR_PICOMCP_STATE', /removed/)
    throwsPicomcp(() => h.update({ description: 'x' }), 'ERR_PICOMCP_STATE', /removed/)
    throwsPicomcp(() => h.remove(), 'ERR_PICOMCP_STATE', /removed/)
  }
})

test('update() with something other than an object throws ERR_PICOMCP_INVALID', () => {
  const s = newServer()
  const h = s.registerTool('t', {}, noop)
  throwsPicomcp(() => h.update('x'), 'ERR_PICOMCP_INVALID', /update/)
  h.disable() // the handle still works
})

test('a refused update() leaves the tool as it was', async () => {
  const s = newServer()
  const h = s.registerTool(
    't',
    { description: 'before', inputSchema: { type: 'object', properties: { a: { type: 'number' } } } },
    () => text('old handler'),
  )
  throwsPicomcp(() => h.update({ inputSchema: { type: 'string' } }), 'ERR_PICOMCP_INVALID', /inputSchema/)
  // Still registered under the same name and handle, with its old configuration.
  throwsPicomcp(() => s.registerTool('t', {}, noop), 'ERR_PICOMCP_DUPLICATE')
  const client = await legacy(s)
  const list = await client.request('tools/list')
  assert.deepEqual(list.result.tools, [
    { name: 't', description: 'before', inputSchema: { type: 'object', properties: { a: { type: 'number' } } } },
  ])
  assert.deepEqual((await client.call('t', { a: 1 })).result, text('old handler'))
  h.disable()
  assert.deepEqual(bare((await client.request('tools/list')).result), { tools: [] })
  await client.close()
})
