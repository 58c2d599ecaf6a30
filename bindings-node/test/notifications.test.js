'use strict'
// Progress (ctx.sendProgress) and log (ctx.log, server.sendLoggingMessage) notifications.

const test = require('node:test')
const assert = require('node:assert/strict')
const { McpServer } = require('..')
const { start, legacy, ERAS, bare, text } = require('./helpers')

/** A server whose `work` tool reports progress and what sendProgress returned. */
function progressServer() {
  const s = new McpServer({ name: 'notifications', version: '1.0.0' })
  s.registerTool('work', {}, (args, ctx) => {
    const wanted = ctx.wantsProgress
    const first = ctx.sendProgress(1, 2)
    const second = ctx.sendProgress(2, 2, 'done')
    return text(JSON.stringify({ wanted, first, second }))
  })
  return s
}

for (const [era, open] of ERAS) {
  test(`${era}: with a progressToken, ctx.sendProgress reaches the client before the result`, async () => {
    const client = await open(progressServer())
    const token = era === 'legacy' ? 7 : 'tok-1'
    const from = client.lines.length
    const reply = await client.call('work', {}, { meta: { progressToken: token } })
    assert.deepEqual(bare(reply.result), text(JSON.stringify({ wanted: true, first: true, second: true })))
    const sent = client.lines.slice(from)
    assert.deepEqual(sent.slice(0, 2), [
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: 1, total: 2 } },
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: token, progress: 2, total: 2, message: 'done' },
      },
    ])
    assert.equal(sent[2], reply)
    await client.close()
  })

  test(`${era}: without a progressToken nothing is sent and sendProgress returns false`, async () => {
    const client = await open(progressServer())
    const from = client.lines.length
    const reply = await client.call('work', {})
    assert.deepEqual(bare(reply.result), text(JSON.stringify({ wanted: false, first: false, second: false })))
    assert.deepEqual(client.lines.slice(from), [reply])
    await client.close()
  })
}

test('sendProgress after the call is answered sends nothing and returns false', async () => {
  const s = new McpServer({ name: 'notifications', version: '1.0.0' })
  let saved
  s.registerTool('quick', {}, (args, ctx) => {
    saved = ctx
    return text('done')
  })
  const client = await legacy(s)
  await client.call('quick', {}, { meta: { progressToken: 'p' } })
  const from = client.lines.length
  assert.equal(saved.sendProgress(1, 1), false)
  assert.equal(saved.log('error', 'late'), false)
  assert.deepEqual(await client.collect(() => true, 50, from), [])
  await client.close()
})

/** A server whose `log` tool logs at `level` and answers whether it was sent. */
function logServer() {
  const s = new McpServer({ name: 'notifications', version: '1.0.0' })
  s.registerTool(
    'log',
    { inputSchema: { type: 'object', properties: { level: { type: 'string' }, logger: { type: 'string' } } } },
    ({ level, logger }, ctx) => text(String(ctx.log(level, { x: 1 }, logger))),
  )
  return s
}

test('legacy: ctx.log goes through at the level logging/setLevel chose', async () => {
  const client = await legacy(logServer())
  assert.deepEqual((await client.request('logging/setLevel', { level: 'warning' })).result, {})
  let from = client.lines.length
  assert.deepEqual((await client.call('log', { level: 'info' })).result, text('false'))
  assert.equal(client.lines.slice(from).some((m) => m.method === 'notifications/message'), false)

  assert.deepEqual((await client.request('logging/setLevel', { level: 'debug' })).result, {})
  from = client.lines.length
  const reply = await client.call('log', { level: 'info' })
  assert.deepEqual(reply.result, text('true'))
  assert.deepEqual(client.lines.slice(from), [
    { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: { x: 1 } } },
    reply,
  ])
  from = client.lines.length
  const debug = await client.call('log', { level: 'debug', logger: 'tests' })
  assert.deepEqual(debug.result, text('true'))
  assert.deepEqual(client.lines.slice(from, from + 1), [
    { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'debug', logger: 'tests', data: { x: 1 } } },
  ])
  await client.close()
})

test('an unknown log level is a tool error naming it', async () => {
  const client = await legacy(logServer())
  const reply = await client.call('log', { level: 'verbose' })
  assert.deepEqual(reply.result, { content: [{ type: 'text', text: 'unknown log level "verbose"' }], isError: true })
  await client.close()
})

test('modern: ctx.log goes through only when _meta names a log level that lets it', async () => {
  const client = start(logServer())
  let from = client.lines.length
  assert.deepEqual(bare((await client.call('log', { level: 'info' })).result), text('false'))
  assert.deepEqual(client.lines.slice(from).filter((m) => m.method), [])
  from = client.lines.length
  const reply = await client.call('log', { level: 'info' }, { meta: { 'io.modelcontextprotocol/logLevel': 'debug' } })
  assert.deepEqual(bare(reply.result), text('true'))
  assert.deepEqual(client.lines.slice(from), [
    { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: { x: 1 } } },
    reply,
  ])
  await client.close()
})

test('legacy: server.sendLoggingMessage reaches the session', async () => {
  const s = new McpServer({ name: 'notifications', version: '1.0.0' })
  assert.equal(s.sendLoggingMessage({ level: 'error', data: 'not serving yet' }), false)
  const client = await legacy(s)
  const from = client.lines.length
  assert.equal(s.sendLoggingMessage({ level: 'warning', data: 'careful', logger: 'server' }), true)
  const message = await client.waitFor((m) => m.method === 'notifications/message', { from })
  assert.deepEqual(message, {
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: { level: 'warning', logger: 'server', data: 'careful' },
  })
  await client.close()
})
