'use strict'
// What tool handlers return (a value, a Promise) or throw, and malformed results.

const test = require('node:test')
const assert = require('node:assert/strict')
const { McpServer } = require('..')
const { legacy, ERAS, bare, text, until } = require('./helpers')

function server() {
  const s = new McpServer({ name: 'handlers', version: '1.0.0' })
  s.registerTool('sync', {}, () => text('sync value'))
  s.registerTool('async', {}, async () => text('async value'))
  s.registerTool('later', {}, () => new Promise((resolve) => setTimeout(() => resolve(text('later value')), 10)))
  s.registerTool('structured', {}, () => ({
    content: [{ type: 'text', text: '{"sum":3}' }],
    structuredContent: { sum: 3 },
  }))
  s.registerTool('throws', {}, () => {
    throw new Error('thrown here')
  })
  s.registerTool('rejects', {}, () => Promise.reject(new Error('rejected here')))
  s.registerTool('rejects-late', {}, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    throw new TypeError('rejected later')
  })
  s.registerTool('throws-string', {}, () => {
    throw 'a plain string'
  })
  s.registerTool('own-error', {}, () => ({ content: [{ type: 'text', text: 'handled' }], isError: true }))
  s.registerTool('video', {}, () => ({ content: [{ type: 'video' }] }))
  s.registerTool('number', {}, () => 42)
  s.registerTool('nothing', {}, () => {})
  s.registerTool('async-video', {}, async () => ({ content: [{ type: 'text' }] }))
  s.registerTool('extra-field', {}, () => ({ content: [], extra: 1 }))
  return s
}

const toolError = (message) => ({ content: [{ type: 'text', text: message }], isError: true })

for (const [era, open] of ERAS) {
  test(`${era}: sync values and Promises are the result`, async () => {
    const client = await open(server())
    assert.deepEqual(bare((await client.call('sync')).result), text('sync value'))
    assert.deepEqual(bare((await client.call('async')).result), text('async value'))
    assert.deepEqual(bare((await client.call('later')).result), text('later value'))
    assert.deepEqual(bare((await client.call('structured')).result), {
      content: [{ type: 'text', text: '{"sum":3}' }],
      structuredContent: { sum: 3 },
    })
    await client.close()
  })

  test(`${era}: a thrown Error or rejected Promise is an isError result with the message`, async () => {
    const client = await open(server())
    assert.deepEqual(bare((await client.call('throws')).result), toolError('thrown here'))
    assert.deepEqual(bare((await client.call('rejects')).result), toolError('rejected here'))
    assert.deepEqual(bare((await client.call('rejects-late')).result), toolError('rejected later'))
    assert.deepEqual(bare((await client.call('throws-string')).result), toolError('a plain string'))
    assert.deepEqual(bare((await client.call('own-error')).result), toolError('handled'))
    await client.close()
  })

  test(`${era}: a malformed result is JSON-RPC error -32603 saying what is wrong; serving goes on`, async () => {
    const client = await open(server())
    const cases = [
      ['video', 'tool result.content[0] ("video"): unknown content type (text, image, audio, resource_link or resource)'],
      ['number', 'invalid tool result: expected an object, got a number'],
      ['nothing', 'invalid tool result: expected an object, got undefined'],
      ['async-video', 'tool result.content[0] ("text"): missing "text"'],
      ['extra-field', 'tool result: unknown field "extra"'],
    ]
    for (const [name, message] of cases) {
      const reply = await client.call(name)
      assert.equal(reply.result, undefined, name)
      assert.deepEqual(reply.error, { code: -32603, message }, name)
      // The next call is served as usual.
      assert.deepEqual(bare((await client.call('sync')).result), text('sync value'), `after ${name}`)
    }
    await client.close()
  })
}

test('the handler gets (args, ctx) with ctx.signal an unfired AbortSignal', async () => {
  const s = new McpServer({ name: 'handlers', version: '1.0.0' })
  let seen
  s.registerTool(
    'look',
    { inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
    (args, ctx, ...rest) => {
      seen = { args, aborted: ctx.signal.aborted, signal: ctx.signal instanceof AbortSignal, rest: rest.length }
      return text('ok')
    },
  )
  const client = await legacy(s)
  await client.call('look', { q: 'x' })
  assert.deepEqual(seen, { args: { q: 'x' }, aborted: false, signal: true, rest: 0 })
  await client.close()
})

test('calls in flight are answered as each finishes, not in request order', async () => {
  const s = new McpServer({ name: 'handlers', version: '1.0.0' })
  const release = {}
  s.registerTool('wait', { inputSchema: { type: 'object', properties: { k: { type: 'string' } } } }, ({ k }) =>
    new Promise((resolve) => {
      release[k] = () => resolve(text(k))
    }),
  )
  const client = await legacy(s)
  const first = client.call('wait', { k: 'first' }, { id: 'first' })
  const second = client.call('wait', { k: 'second' }, { id: 'second' })
  await until(() => release.first && release.second, { what: 'both handlers to start' })
  release.second()
  assert.deepEqual((await second).result, text('second'))
  assert.equal(client.lines.some((m) => m.id === 'first'), false)
  release.first()
  assert.deepEqual((await first).result, text('first'))
  await client.close()
})
