'use strict'
// Cancellation (notifications/cancelled, stdin closing) and the maxRequests capacity.

const test = require('node:test')
const assert = require('node:assert/strict')
const { McpServer } = require('..')
const { start, ERAS, bare, text, until, deferred } = require('./helpers')

/** A server whose `wait` tool resolves only when its signal fires (then rejects with the reason). */
function waitingServer(options) {
  const s = new McpServer({ name: 'cancellation', version: '1.0.0' }, options)
  const seen = []
  s.registerTool('wait', {}, (args, ctx) => {
    const entry = { signal: ctx.signal, abortedAt: null }
    seen.push(entry)
    return new Promise((resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        entry.abortedAt = { aborted: ctx.signal.aborted, reason: ctx.signal.reason }
        reject(ctx.signal.reason)
      })
    })
  })
  s.registerTool('echo', {}, () => text('still serving'))
  return { server: s, seen }
}

for (const [era, open] of ERAS) {
  test(`${era}: notifications/cancelled fires the signal and no response is ever sent`, async () => {
    const { server, seen } = waitingServer()
    const client = await open(server)
    const reply = client.call('wait', {}, { id: 'to-cancel' })
    reply.catch(() => {}) // it never comes: the wait below times out
    await until(() => seen.length === 1, { what: 'the handler to start' })
    assert.equal(seen[0].signal.aborted, false)
    client.notify('notifications/cancelled', { requestId: 'to-cancel', reason: 'changed my mind' })
    await until(() => seen[0].abortedAt !== null, { what: 'the signal to fire' })
    const { aborted, reason } = seen[0].abortedAt
    assert.equal(aborted, true)
    assert.ok(reason instanceof Error)
    assert.equal(reason.name, 'AbortError')
    assert.equal(reason.message, 'the client cancelled the request')
    // The rejection that followed is not answered: nothing is sent for that id.
    assert.deepEqual(await client.collect((m) => m.id === 'to-cancel', 200), [])
    assert.deepEqual(bare((await client.call('echo')).result), text('still serving'))
    await client.close()
  })
}

test('cancelling one call leaves the others running', async () => {
  const { server, seen } = waitingServer()
  const client = start(server)
  client.call('wait', {}, { id: 'a' }).catch(() => {})
  client.call('wait', {}, { id: 'b' }).catch(() => {})
  await until(() => seen.length === 2, { what: 'both handlers to start' })
  client.notify('notifications/cancelled', { requestId: 'b' })
  await until(() => seen[1].signal.aborted, { what: 'the second signal' })
  assert.equal(seen[0].signal.aborted, false)
  await client.close()
})

test('closing stdin aborts calls in flight, connectStdio() resolves, and nothing more is written', async () => {
  const { server, seen } = waitingServer()
  const client = start(server)
  client.call('wait', {}, { id: 'in-flight' }).catch(() => {})
  await until(() => seen.length === 1, { what: 'the handler to start' })
  const from = client.lines.length
  await client.close() // resolves once connectStdio() does
  assert.equal(seen[0].signal.aborted, true)
  assert.equal(seen[0].signal.reason.name, 'AbortError')
  // The handler rejected when its signal fired; that is not answered after the end.
  assert.deepEqual(await client.collect(() => true, 100, from), [])
})

test('a call that ignores its signal and finishes after stdin closed is not answered', async () => {
  const s = new McpServer({ name: 'cancellation', version: '1.0.0' })
  const release = deferred()
  let signal
  s.registerTool('stubborn', {}, (args, ctx) => {
    signal = ctx.signal
    return release.promise
  })
  const client = start(s)
  client.call('stubborn', {}, { id: 'late' }).catch(() => {})
  await until(() => signal !== undefined, { what: 'the handler to start' })
  const from = client.lines.length
  await client.close()
  assert.equal(signal.aborted, true)
  release.resolve(text('too late'))
  assert.deepEqual(await client.collect(() => true, 100, from), [])
})

test('server.close() on stdio stops serving: connectStdio() resolves and calls in flight are aborted', async () => {
  const { server, seen } = waitingServer()
  const client = start(server)
  client.call('wait', {}, { id: 'x' }).catch(() => {})
  await until(() => seen.length === 1, { what: 'the handler to start' })
  await server.close()
  await client.served
  assert.equal(seen[0].signal.aborted, true)
  await client.close()
})

test('maxRequests: 2: a third call in flight is refused with -32603; after two finish, calls work', async () => {
  const s = new McpServer({ name: 'capacity', version: '1.0.0' }, { maxRequests: 2 })
  const pending = []
  s.registerTool('hang', {}, () => {
    const d = deferred()
    pending.push(d)
    return d.promise
  })
  s.registerTool('quick', {}, () => text('quick'))
  const client = start(s)
  const first = client.call('hang', {}, { id: 1 })
  const second = client.call('hang', {}, { id: 2 })
  const third = await client.call('hang', {}, { id: 3 })
  assert.equal(third.result, undefined)
  assert.deepEqual(third.error, {
    code: -32603,
    message: 'Internal error: too many requests in flight; retry when some have finished',
    data: { capacity: 2 },
  })
  assert.equal(pending.length, 2, 'the refused call never reached its handler')
  pending[0].resolve(text('one'))
  pending[1].resolve(text('two'))
  assert.deepEqual(bare((await first).result), text('one'))
  assert.deepEqual(bare((await second).result), text('two'))
  assert.deepEqual(bare((await client.call('quick', {}, { id: 4 })).result), text('quick'))
  // Two at once are accepted again.
  const fifth = client.call('hang', {}, { id: 5 })
  const sixth = client.call('hang', {}, { id: 6 })
  await until(() => pending.length === 4, { what: 'both handlers to start' })
  pending[2].resolve(text('five'))
  pending[3].resolve(text('six'))
  assert.deepEqual(bare((await fifth).result), text('five'))
  assert.deepEqual(bare((await sixth).result), text('six'))
  await client.close()
})
