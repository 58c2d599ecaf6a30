'use strict'
// Test helpers: drive an McpServer in-process over stdio through a pair of PassThrough
// streams, speaking newline-delimited JSON-RPC, in either protocol era.
//
//   const client = start(server)                 // 2026-07-28: _meta on every request
//   const client = await legacy(server)          // initialize 2025-06-18 + initialized
//   const reply = await client.request('tools/list')
//   const reply = await client.call('echo', { text: 'hi' }, { meta: { progressToken: 1 } })
//   client.lines                                 // every message the server wrote, parsed
//   await client.close()                         // ends stdin; resolves when connectStdio does

const { PassThrough } = require('node:stream')

const MODERN = '2026-07-28'
const LEGACY = '2025-06-18'
const CLIENT_INFO = { name: 'picomcp-node-tests', version: '1.0.0' }

/** The `_meta` every 2026-07-28 request carries (see tests/transcripts/modern-2026-07-28.jsonl). */
function modernMeta(extra = {}) {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
    ...extra,
  }
}

/** A promise that resolves after `ms` milliseconds. */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves once `cond()` is true (checked every turn of the loop); rejects after `timeout` ms. */
async function until(cond, { timeout = 2000, what = 'a condition' } = {}) {
  const end = Date.now() + timeout
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** A promise with its resolve function outside (for handlers a test releases). */
function deferred() {
  let resolve
  let reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/**
 * Serve `server` on fresh PassThrough streams. `era`: 'modern' (every request and
 * notification carries the 2026-07-28 `_meta`) or 'legacy' (nothing added; call
 * `initialize()` first, or use `legacy(server)`). `principal` (`{ name, scopes }`): who
 * the peer is (connectStdio's option).
 */
function start(server, { era = 'modern', principal } = {}) {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  stdout.setEncoding('utf8')
  const lines = []
  const raw = []
  const waiters = new Set()
  let buffer = ''
  let nextId = 1

  stdout.on('data', (chunk) => {
    buffer += chunk
    let nl
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (line === '') continue
      raw.push(line)
      const message = JSON.parse(line)
      lines.push(message)
      for (const w of waiters) w.check()
    }
  })

  const served = server.connectStdio({ stdin, stdout, principal })
  // A rejection is looked at by the tests that expect one; never an unhandled one.
  served.catch(() => {})

  const withMeta = (params, meta) => {
    if (era === 'modern') return { ...params, _meta: { ...modernMeta(), ...(meta || {}) } }
    if (meta !== undefined) return { ...params, _meta: meta }
    return params
  }

  /** Write one JSON-RPC message (an object, or a line of text as it is). */
  const send = (message) => {
    stdin.write((typeof message === 'string' ? message : JSON.stringify(message)) + '\n')
  }

  /**
   * The first message from index `from` on that satisfies `pred`; rejects after
   * `timeout` ms, naming what arrived, so a missing reply fails instead of hanging.
   */
  const waitFor = (pred, { from = 0, timeout = 2000, what = 'a message' } = {}) =>
    new Promise((resolve, reject) => {
      const waiter = {
        abandon(why) {
          clearTimeout(timer)
          waiters.delete(waiter)
          reject(new Error(`${why} while waiting for ${what}`))
        },
        check() {
          for (let i = from; i < lines.length; i++) {
            if (pred(lines[i])) {
              clearTimeout(timer)
              waiters.delete(waiter)
              resolve(lines[i])
              return
            }
          }
        },
      }
      const timer = setTimeout(() => {
        waiters.delete(waiter)
        reject(new Error(`timed out waiting for ${what}; the server wrote:\n${raw.slice(from).join('\n')}`))
      }, timeout)
      waiters.add(waiter)
      waiter.check()
    })

  /** Send a request; resolves to its response (result or error) message. */
  const request = (method, params, { meta, id = nextId++, timeout } = {}) => {
    const message = { jsonrpc: '2.0', id, method }
    const p = withMeta(params || {}, meta)
    if (era === 'modern' || params !== undefined || meta !== undefined) message.params = p
    send(message)
    return waitFor((m) => m.id === id && ('result' in m || 'error' in m), {
      timeout,
      what: `the response to ${method} (id ${JSON.stringify(id)})`,
    })
  }

  /** Send a notification. */
  const notify = (method, params) => {
    const message = { jsonrpc: '2.0', method }
    const p = era === 'modern' ? { ...(params || {}), _meta: modernMeta() } : params
    if (p !== undefined) message.params = p
    send(message)
  }

  /**
   * Wait `ms` and return the messages satisfying `pred` that arrived meanwhile (or since
   * index `from`): for "nothing is sent" checks.
   */
  const collect = async (pred, ms = 150, from = lines.length) => {
    await delay(ms)
    return lines.slice(from).filter(pred)
  }

  const client = {
    era,
    stdin,
    stdout,
    served,
    lines,
    raw,
    send,
    request,
    notify,
    waitFor,
    collect,
    /** `tools/call` of `name` with `args`. */
    call: (name, args = {}, options) => request('tools/call', { name, arguments: args }, options),
    /** The legacy handshake: initialize, then notifications/initialized; the result. */
    async initialize(protocolVersion = LEGACY) {
      const reply = await request('initialize', { protocolVersion, capabilities: {}, clientInfo: CLIENT_INFO })
      if (reply.error) throw new Error(`initialize failed: ${JSON.stringify(reply.error)}`)
      notify('notifications/initialized')
      return reply.result
    },
    /** End stdin; resolves when connectStdio() does. Waits still pending are rejected. */
    close() {
      stdin.end()
      for (const w of [...waiters]) w.abandon('the client closed')
      return served
    },
  }
  return client
}

/** Serve `server` and open a legacy (2025-06-18) session. */
async function legacy(server) {
  const client = start(server, { era: 'legacy' })
  client.initializeResult = await client.initialize()
  return client
}

/** Each era's client, for tests run in both: [['legacy', open], ['modern', open]]. */
const ERAS = [
  ['legacy', (server) => legacy(server)],
  ['modern', async (server) => start(server, { era: 'modern' })],
]

/**
 * A result without what the 2026-07-28 era adds to every result (`resultType`, `_meta`,
 * and for lists `ttlMs` / `cacheScope`), so both eras compare alike.
 */
function bare(result) {
  if (result === null || typeof result !== 'object') return result
  const { resultType, _meta, ttlMs, cacheScope, ...rest } = result
  return rest
}

/** A text content block's tool result. */
const text = (t) => ({ content: [{ type: 'text', text: t }] })

module.exports = { start, legacy, ERAS, bare, text, modernMeta, delay, until, deferred, MODERN, LEGACY, CLIENT_INFO }
