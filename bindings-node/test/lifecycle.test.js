'use strict'
// Handles: enable, disable, update, remove, and the list_changed notifications they send.

const test = require('node:test')
const assert = require('node:assert/strict')
const { McpServer, ResourceTemplate, PicomcpError } = require('..')
const { start, legacy, bare, text } = require('./helpers')

const newServer = () => new McpServer({ name: 'lifecycle', version: '1.0.0' })
const names = async (client, method = 'tools/list', key = 'tools', field = 'name') =>
  (await client.request(method)).result[key].map((x) => x[field])

/** Run `change` and wait for one `method` notification sent after it. */
async function expectNotification(client, method, change) {
  const from = client.lines.length
  change()
  return client.waitFor((m) => m.method === method, { from, what: method })
}

test('a disabled tool is absent and unknown; enabled again it is back (2026-07-28)', async () => {
  const s = newServer()
  s.registerTool('keep', {}, () => text('keep'))
  const h = s.registerTool('toggle', {}, () => text('toggled'))
  const client = start(s)
  assert.deepEqual(await names(client), ['keep', 'toggle'])
  h.disable()
  assert.equal(h.enabled, false)
  assert.deepEqual(await names(client), ['keep'])
  assert.deepEqual((await client.call('toggle')).error, { code: -32602, message: 'Unknown tool: toggle' })
  h.enable()
  assert.equal(h.enabled, true)
  assert.deepEqual(await names(client), ['keep', 'toggle'])
  assert.deepEqual(bare((await client.call('toggle')).result), text('toggled'))
  await client.close()
})

test('a removed tool is gone and its name can be registered again', async () => {
  const s = newServer()
  // (Another tool stays: with no tool at all, the engine no longer offers tools/list.)
  s.registerTool('keep', {}, () => text('keep'))
  const h = s.registerTool('t', {}, () => text('first'))
  const client = start(s)
  h.remove()
  assert.deepEqual(await names(client), ['keep'])
  assert.deepEqual((await client.call('t')).error, { code: -32602, message: 'Unknown tool: t' })
  s.registerTool('t', { description: 'again' }, () => text('second'))
  assert.deepEqual(await names(client), ['keep', 't'])
  assert.deepEqual(bare((await client.call('t')).result), text('second'))
  await client.close()
})

test('update() changes the listing and the callback; enabled: false hides it', async () => {
  const s = newServer()
  const h = s.registerTool('t', { description: 'old' }, () => text('old'))
  const client = start(s)
  h.update({ description: 'new', callback: () => text('new') })
  let [tool] = (await client.request('tools/list')).result.tools
  assert.deepEqual(tool, { name: 't', description: 'new', inputSchema: { type: 'object' } })
  assert.deepEqual(bare((await client.call('t')).result), text('new'))
  h.update({ name: 'renamed' })
  assert.deepEqual(await names(client), ['renamed'])
  assert.deepEqual(bare((await client.call('renamed')).result), text('new'))
  h.update({ enabled: false })
  assert.equal(h.enabled, false)
  assert.deepEqual(await names(client), [])
  // A disabled tool stays disabled through an update that does not say otherwise.
  h.update({ description: 'newer' })
  assert.deepEqual(await names(client), [])
  h.update({ enabled: true })
  ;[tool] = (await client.request('tools/list')).result.tools
  assert.deepEqual(tool, { name: 'renamed', description: 'newer', inputSchema: { type: 'object' } })
  await client.close()
})

test('a refused update() of a disabled tool leaves it disabled and registered', async () => {
  const s = newServer()
  const h = s.registerTool('t', {}, () => text('ok'))
  const other = s.registerTool('other', {}, () => text('other'))
  h.disable()
  assert.throws(() => h.update({ name: 'other' }), (e) => e instanceof PicomcpError && e.code === 'ERR_PICOMCP_DUPLICATE')
  assert.equal(h.enabled, false)
  const client = start(s)
  assert.deepEqual(await names(client), ['other'])
  h.enable()
  assert.deepEqual((await names(client)).sort(), ['other', 't'])
  assert.deepEqual(bare((await client.call('t')).result), text('ok'))
  other.remove()
  await client.close()
})

test('legacy session: each tool change sends notifications/tools/list_changed', async () => {
  const s = newServer()
  const h = s.registerTool('t', {}, () => text('ok'))
  const client = await legacy(s)
  const changed = { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: {} }
  assert.deepEqual(await expectNotification(client, changed.method, () => h.disable()), changed)
  assert.deepEqual(await names(client), [])
  assert.deepEqual(await expectNotification(client, changed.method, () => h.enable()), changed)
  assert.deepEqual(await names(client), ['t'])
  assert.deepEqual(await expectNotification(client, changed.method, () => h.update({ description: 'd' })), changed)
  let added
  assert.deepEqual(
    await expectNotification(client, changed.method, () => {
      added = s.registerTool('added', {}, () => text('added'))
    }),
    changed,
  )
  assert.deepEqual((await client.call('added')).result, text('added'))
  assert.deepEqual(await expectNotification(client, changed.method, () => added.remove()), changed)
  assert.deepEqual(await names(client), ['t'])
  await client.close()
})

test('legacy session: a change that changes nothing sends nothing', async () => {
  const s = newServer()
  const h = s.registerTool('t', {}, () => text('ok'))
  const client = await legacy(s)
  h.enable() // enabled already
  const sent = await client.collect((m) => m.method === 'notifications/tools/list_changed', 100)
  assert.deepEqual(sent, [])
  await client.close()
})

test('legacy session: prompts disable/enable/remove with notifications/prompts/list_changed', async () => {
  const s = newServer()
  s.registerPrompt('keep', {}, () => ({ messages: [] }))
  const h = s.registerPrompt('p', {}, () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }] }))
  const client = await legacy(s)
  const method = 'notifications/prompts/list_changed'
  await expectNotification(client, method, () => h.disable())
  assert.deepEqual(await names(client, 'prompts/list', 'prompts'), ['keep'])
  assert.deepEqual((await client.request('prompts/get', { name: 'p' })).error, {
    code: -32602,
    message: 'Unknown prompt: p',
  })
  await expectNotification(client, method, () => h.enable())
  assert.deepEqual(await names(client, 'prompts/list', 'prompts'), ['keep', 'p'])
  assert.deepEqual((await client.request('prompts/get', { name: 'p' })).result, {
    messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
  })
  await expectNotification(client, method, () => h.remove())
  assert.deepEqual(await names(client, 'prompts/list', 'prompts'), ['keep'])
  await client.close()
})

test('legacy session: resources and templates disable/enable with notifications/resources/list_changed', async () => {
  const s = newServer()
  const r = s.registerResource('r', 'test://r', {}, (uri) => ({ contents: [{ uri: uri.href, text: 'r' }] }))
  const t = s.registerResource('t', new ResourceTemplate('test://t/{id}'), {}, (uri) => ({
    contents: [{ uri: uri.href, text: 't' }],
  }))
  const client = await legacy(s)
  const method = 'notifications/resources/list_changed'
  await expectNotification(client, method, () => r.disable())
  assert.deepEqual(await names(client, 'resources/list', 'resources', 'uri'), [])
  assert.deepEqual((await client.request('resources/read', { uri: 'test://r' })).error, {
    code: -32002,
    message: 'Resource not found: test://r',
    data: { uri: 'test://r' },
  })
  await expectNotification(client, method, () => r.enable())
  assert.deepEqual((await client.request('resources/read', { uri: 'test://r' })).result, {
    contents: [{ uri: 'test://r', text: 'r' }],
  })
  await expectNotification(client, method, () => t.disable())
  assert.deepEqual(await names(client, 'resources/templates/list', 'resourceTemplates', 'uriTemplate'), [])
  assert.equal((await client.request('resources/read', { uri: 'test://t/1' })).error.code, -32002)
  // Removing what clients no longer see (it is disabled) tells them nothing.
  const from = client.lines.length
  t.remove()
  assert.deepEqual(await client.collect((m) => m.method === method, 100, from), [])
  await expectNotification(client, method, () =>
    s.registerResource('t2', 'test://new', {}, () => ({ contents: [] })),
  )
  assert.deepEqual(await names(client, 'resources/list', 'resources', 'uri'), ['test://r', 'test://new'])
  await client.close()
})
