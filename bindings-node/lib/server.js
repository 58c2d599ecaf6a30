'use strict'
// McpServer: registration in the spirit of the official TypeScript SDK, over the native
// engine. Everything that touches JavaScript runs on the main thread: input is fed to the
// engine, each call comes back as an event, its handler runs (a value or a Promise), and
// the answer goes to the engine by ticket; output is written once per turn of the loop.

const { NativeServer } = require('../native.js')
const { RequestContext } = require('./context')
const { ErrorCode, McpError, PicomcpError, InsufficientScopeError, invalid, native } = require('./errors')
const { toSchema, promptArguments, isPlainObject } = require('./schema')

/** A URI template for registerResource, with optional completers for its variables. */
class ResourceTemplate {
  /**
   * @param {string} uriTemplate an RFC 6570 level-1 template, e.g. "demo://items/{id}"
   * @param {{ list?: undefined, complete?: Record<string, Function> }} [callbacks]
   */
  constructor(uriTemplate, callbacks = {}) {
    if (typeof uriTemplate !== 'string') throw invalid('ResourceTemplate: the URI template must be a string')
    if (callbacks.list !== undefined) {
      throw invalid('ResourceTemplate: `list` is not supported; register the resources it would list instead')
    }
    this.uriTemplate = uriTemplate
    this.complete = checkCompleters(callbacks.complete, 'ResourceTemplate')
  }
}

function checkCompleters(complete, what) {
  if (complete === undefined) return {}
  if (!isPlainObject(complete) || !Object.values(complete).every((f) => typeof f === 'function')) {
    throw invalid(`${what}: complete must map names to functions`)
  }
  return { ...complete }
}

const isThenable = (v) => v !== null && typeof v === 'object' && typeof v.then === 'function'

/**
 * The texts of a tool result made of text blocks only (`{ content: [{ type: 'text', text }],
 * isError? }`, nothing else), or null: such a result is handed over without a JSON round
 * trip; any other goes as JSON text, and the engine reads and checks it.
 */
function textsOnly(result) {
  const { content, isError } = result
  if (!Array.isArray(content) || (isError !== undefined && typeof isError !== 'boolean')) return null
  let keys = 1 + (isError === undefined ? 0 : 1)
  if (Object.keys(result).length !== keys) return null
  const texts = new Array(content.length)
  for (let i = 0; i < content.length; i++) {
    const block = content[i]
    if (!isPlainObject(block) || block.type !== 'text' || typeof block.text !== 'string') return null
    keys = 2
    for (const _ in block) if (--keys < 0) return null
    texts[i] = block.text
  }
  return texts
}

/** What a value is, for messages: "null", "an array", "a string"... */
function kindOf(v) {
  if (v === null || v === undefined) return String(v)
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/** `scopes` of a registration as the engine takes it (undefined: none). */
function checkScopes(scopes, what) {
  if (scopes === undefined) return undefined
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && s !== '')) {
    throw invalid(`${what}: scopes must be an array of non-empty strings`)
  }
  return [...scopes]
}

/** A `{ name, scopes }` grant, checked and copied (frozen); `what` names it in errors. */
function checkGrant(grant, what) {
  if (
    !isPlainObject(grant) ||
    typeof grant.name !== 'string' ||
    !Array.isArray(grant.scopes) ||
    !grant.scopes.every((s) => typeof s === 'string')
  ) {
    throw invalid(`${what} must be { name: string, scopes: string[] }`)
  }
  return Object.freeze({ name: grant.name, scopes: Object.freeze([...grant.scopes]) })
}

/** The `auth` option of listenHttp, checked: the engine's settings and `verify`. */
function checkAuth(auth) {
  if (!isPlainObject(auth)) throw invalid('listenHttp: auth must be an object')
  const { verify, resource, authorizationServers, scopesSupported, cacheSeconds } = auth
  if (typeof verify !== 'function') throw invalid('listenHttp: auth.verify must be a function (token) => { name, scopes } | null')
  const strings = (v, key) => {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw invalid(`listenHttp: auth.${key} must be an array of strings`)
    return [...v]
  }
  if (resource !== undefined && typeof resource !== 'string') throw invalid('listenHttp: auth.resource must be a string')
  if (cacheSeconds !== undefined && !(typeof cacheSeconds === 'number' && Number.isFinite(cacheSeconds) && cacheSeconds >= 0)) {
    throw invalid('listenHttp: auth.cacheSeconds must be a finite number, 0 or more')
  }
  return {
    // Called as auth.verify(token) would be.
    verify: (token) => verify.call(auth, token),
    config: {
      resource,
      authorizationServers: strings(authorizationServers, 'authorizationServers'),
      scopesSupported: scopesSupported === undefined ? undefined : strings(scopesSupported, 'scopesSupported'),
      cacheSeconds,
    },
  }
}

function message(e) {
  if (e instanceof Error) return e.message || e.name
  return String(e)
}

/** A registered tool, resource, template or prompt: enable, disable, update, remove. */
class Registered {
  constructor(server, kind, id, entry) {
    this._server = server
    this._kind = kind
    this._id = id
    this._entry = entry
    this.enabled = true
  }

  /** List it again (clients are told the list changed). */
  enable() {
    this._setEnabled(true)
  }

  /** Hide it: absent from lists, unknown to calls (clients are told the list changed). */
  disable() {
    this._setEnabled(false)
  }

  _setEnabled(enabled) {
    this._check()
    native(() => this._server._native.setEnabled(this._kind, this._id, enabled))
    this.enabled = enabled
    this._server._flushSoon()
  }

  /** Remove it for good; its name may be registered again. */
  remove() {
    this._check()
    native(() => this._server._native.remove(this._kind, this._id))
    this._server._entries[this._kind][this._id] = undefined
    this._id = -1
    this._server._flushSoon()
  }

  /**
   * Change it: `changes` takes the fields of its registration (and `callback`, `enabled`).
   * It is registered anew under the same handle.
   */
  update(changes) {
    this._check()
    if (!isPlainObject(changes)) throw invalid('update: expected an object of changes')
    const { callback, enabled, name, ...config } = changes
    const entry = this._entry
    const next = { ...entry.config, ...config }
    const server = this._server
    const wasEnabled = this.enabled
    native(() => server._native.remove(this._kind, this._id))
    server._entries[this._kind][this._id] = undefined
    let fresh
    try {
      fresh = server._register(this._kind, name === undefined ? entry.name : name, entry.target, next, callback || entry.handler)
    } catch (e) {
      // Refused (a bad schema, a taken name...): put the old registration back, so a
      // failed update changes nothing and the handle keeps working.
      fresh = server._register(this._kind, entry.name, entry.target, entry.config, entry.handler)
      Object.assign(this, { _id: fresh._id, _entry: fresh._entry })
      if (!wasEnabled) this.disable()
      throw e
    }
    Object.assign(this, { _id: fresh._id, _entry: fresh._entry })
    if (enabled === false || (enabled === undefined && !wasEnabled)) this.disable()
    else this.enabled = true
    server._flushSoon()
  }

  _check() {
    if (this._id < 0) throw new PicomcpError('ERR_PICOMCP_STATE', `${this._kind} ${this._entry.name}: removed`)
  }
}

/** An MCP server on picomcp's engine. */
class McpServer {
  /**
   * @param {{ name: string, version: string }} serverInfo
   * @param {{ instructions?: string, maxRequests?: number, pageSize?: number, maxLine?: number }} [options]
   */
  constructor(serverInfo, options = {}) {
    if (!isPlainObject(serverInfo) || typeof serverInfo.name !== 'string' || typeof serverInfo.version !== 'string') {
      throw invalid('McpServer: serverInfo must be { name: string, version: string }')
    }
    if (!isPlainObject(options)) throw invalid('McpServer: options must be an object')
    const { instructions, maxRequests, pageSize, maxLine } = options
    for (const [k, v] of Object.entries({ maxRequests, pageSize, maxLine })) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
        throw invalid(`McpServer: options.${k} must be a non-negative integer`)
      }
    }
    if (instructions !== undefined && typeof instructions !== 'string') {
      throw invalid('McpServer: options.instructions must be a string')
    }
    this._native = native(
      () => new NativeServer(serverInfo.name, serverInfo.version, instructions, { maxRequests, pageSize, maxLine }),
    )
    this._entries = { tool: [], resource: [], template: [], prompt: [] }
    this._calls = new Map()
    this._transport = null
    this._flushQueued = false
    this._completions = false
    // The callers events name, by number (the engine's numbers never change meaning).
    this._grants = new Map()
    // listenHttp's auth.verify, when HTTP requests need a bearer token.
    this._verify = null
  }

  /**
   * Register a tool. `config.inputSchema` is a JSON Schema object or a zod schema;
   * arguments are checked against it before `callback(args, ctx)` runs. The callback
   * returns (or resolves to) a CallToolResult; a throw becomes an `isError` result.
   * `config.scopes` (as for every registration): only callers holding all of them see it.
   */
  registerTool(name, config, callback) {
    return this._register('tool', name, null, config, callback)
  }

  /**
   * Register a fixed resource (`uriOrTemplate` a string) or a resource template (a
   * ResourceTemplate). The callback gets `(uri: URL, ctx)` or `(uri: URL, variables, ctx)`
   * and returns `{ contents: [...] }`, or null for "not found".
   */
  registerResource(name, uriOrTemplate, metadata, callback) {
    if (uriOrTemplate instanceof ResourceTemplate) {
      return this._register('template', name, uriOrTemplate, metadata, callback)
    }
    if (typeof uriOrTemplate !== 'string') throw invalid(`resource ${name}: the URI must be a string or a ResourceTemplate`)
    return this._register('resource', name, uriOrTemplate, metadata, callback)
  }

  /**
   * Register a prompt. `config.argsSchema` (JSON Schema or zod) or `config.arguments`
   * describe its arguments; `config.complete` maps argument names to completers.
   * `callback(args, ctx)` returns `{ messages: [...], description? }`.
   */
  registerPrompt(name, config, callback) {
    return this._register('prompt', name, null, config, callback)
  }

  _register(kind, name, target, config, callback) {
    if (typeof name !== 'string') throw invalid(`${kind}: the name must be a string`)
    if (config === undefined) config = {}
    if (!isPlainObject(config)) throw invalid(`${kind} ${name}: the configuration must be an object`)
    if (typeof callback !== 'function') throw invalid(`${kind} ${name}: the callback must be a function`)
    const what = `${kind} ${name}`
    const text = (key) => {
      const v = config[key]
      if (v !== undefined && typeof v !== 'string') throw invalid(`${what}: ${key} must be a string`)
      return v
    }
    const entry = { name, target, config, handler: callback, parse: null, complete: {} }
    let id
    if (kind === 'tool') {
      const input = toSchema(config.inputSchema === undefined ? { type: 'object' } : config.inputSchema, `${what}: inputSchema`)
      const output = config.outputSchema === undefined ? null : toSchema(config.outputSchema, `${what}: outputSchema`)
      entry.parse = input.parse
      const annotations = config.annotations === undefined ? undefined : { ...config.annotations }
      if (annotations !== undefined && !isPlainObject(config.annotations)) throw invalid(`${what}: annotations must be an object`)
      const tool = {
        name,
        title: text('title'),
        description: text('description'),
        inputSchema: input.json,
        outputSchema: output ? output.json : undefined,
        annotations,
        scopes: checkScopes(config.scopes, what),
      }
      id = native(() => this._native.addTool(tool))
    } else if (kind === 'prompt') {
      const args = promptArguments(config, what)
      entry.parse = args.parse
      entry.complete = checkCompleters(config.complete, what)
      const prompt = {
        name,
        title: text('title'),
        description: text('description'),
        arguments: args.arguments,
        scopes: checkScopes(config.scopes, what),
      }
      id = native(() => this._native.addPrompt(prompt))
    } else {
      const uri = kind === 'template' ? target.uriTemplate : target
      if (kind === 'template') entry.complete = target.complete
      const resource = {
        uri,
        name,
        title: text('title'),
        description: text('description'),
        mimeType: text('mimeType'),
        scopes: checkScopes(config.scopes, what),
      }
      id = native(() => (kind === 'template' ? this._native.addTemplate(resource) : this._native.addResource(resource)))
    }
    this._entries[kind][id] = entry
    if (Object.keys(entry.complete).length > 0 && !this._completions) {
      this._completions = true
      this._native.enableCompletions()
    }
    if (this._transport !== null) {
      native(() => this._native.listChanged(kind))
      this._flushSoon()
    }
    return new Registered(this, kind, id, entry)
  }

  /**
   * Send `notifications/message` to the session, if its log level lets it through.
   * Returns whether it was sent.
   */
  sendLoggingMessage({ level, data, logger }) {
    return this._log(null, level, data, logger)
  }

  /**
   * Serve newline-delimited JSON-RPC over stdio; resolves once stdin closes. `principal`
   * (`{ name, scopes }`) says who the peer is: it sees what its scopes reach; without
   * it the peer is anonymous and sees only what needs no scopes.
   */
  connectStdio({ stdin = process.stdin, stdout = process.stdout, principal } = {}) {
    const grant = principal === undefined || principal === null ? null : checkGrant(principal, 'connectStdio: principal')
    this._start('stdio')
    this._native.setPrincipal(grant === null ? null : { name: grant.name, scopes: [...grant.scopes] })
    return require('./stdio').serve(this, stdin, stdout)
  }

  /**
   * Serve Streamable HTTP on `host:port` (default 127.0.0.1, port 0: any free port) at
   * `/mcp`. Resolves to `{ host, port, url, close() }` once listening. With `auth`, every
   * request needs a bearer token that `auth.verify(token)` accepts (see index.d.ts).
   */
  listenHttp({ port = 0, host = '127.0.0.1', auth } = {}) {
    const checked = auth === undefined ? null : checkAuth(auth)
    this._start('http')
    if (checked !== null) {
      native(() => this._native.setAuth(checked.config))
      this._verify = checked.verify
    }
    return require('./http').listen(this, host, port)
  }

  /** Stop serving: stdin is no longer read, or the HTTP listener closes. */
  close() {
    if (this._transport !== null) return this._transport.close()
    return Promise.resolve()
  }

  _start(kind) {
    if (this._transport !== null) throw new PicomcpError('ERR_PICOMCP_STATE', `this server already serves ${this._transport.kind}`)
    this._transport = { kind, flush: () => {}, close: () => Promise.resolve() }
  }

  /** Handle every event the engine has, then write the output. */
  _pump() {
    this._dispatchEvents()
    this._transport.flush()
  }

  /** Handle every event the engine has: run handlers, answer what finished at once. */
  _dispatchEvents() {
    for (;;) {
      const text = this._native.takeEvents()
      if (text === null) break
      for (const event of JSON.parse(text)) this._dispatch(event)
    }
  }

  _dispatch(event) {
    switch (event[0]) {
      case 'tool':
        return this._callTool(event[1], event[2], event[3], event[4])
      case 'read':
        return this._read(event[1], event[2], event[3], event[4], event[5], event[6])
      case 'prompt':
        return this._prompt(event[1], event[2], event[3], event[4])
      case 'complete':
        return this._complete(event[1], event[2], event[3], event[4], event[5], event[6], event[7])
      case 'authorize':
        return this._authorize(event[1])
      case 'cancelled': {
        const ctx = this._calls.get(event[1])
        if (ctx !== undefined) {
          this._calls.delete(event[1])
          ctx._cancel()
        }
      }
    }
  }

  /** The caller numbered `principal` in an event: `{ name, scopes }`, or null (anonymous). */
  _grant(principal) {
    if (!principal) return null
    let grant = this._grants.get(principal)
    if (grant === undefined) {
      const g = this._native.grant(principal)
      grant = g === null ? null : Object.freeze({ name: g.name, scopes: Object.freeze(g.scopes) })
      this._grants.set(principal, grant)
    }
    return grant
  }

  /**
   * An HTTP request carries `token` (null: none), not decided yet: ask `auth.verify`
   * (also about no token: it may let anonymous callers in). Its requests wait for the
   * answer.
   */
  _authorize(token) {
    if (this._verify === null) return this._decide(token, null, undefined)
    const refuse = (e) => {
      if (e instanceof InsufficientScopeError) return this._decide(token, null, e.scope)
      process.emitWarning(`picomcp: auth.verify failed, the request is refused (401): ${message(e)}`, {
        code: 'PICOMCP_AUTH_VERIFY',
      })
      this._decide(token, null, undefined)
    }
    const accept = (grant) => {
      if (grant === null || grant === undefined) return this._decide(token, null, undefined)
      let checked
      try {
        checked = checkGrant(grant, 'auth.verify: the result')
      } catch (e) {
        return refuse(e)
      }
      this._decide(token, checked, undefined)
    }
    let value
    try {
      value = this._verify(token)
    } catch (e) {
      return refuse(e)
    }
    if (isThenable(value)) {
      Promise.resolve(value)
        .then(accept, refuse)
        .finally(() => this._flushSoon())
    } else {
      accept(value)
    }
  }

  /** Tell the engine about `token`: granted, 403 (`scope`) or 401; held requests go on. */
  _decide(token, grant, scope) {
    const nativeGrant = grant === null ? null : { name: grant.name, scopes: [...grant.scopes] }
    try {
      this._native.authorized(token, nativeGrant, scope)
    } catch (e) {
      if (scope === undefined) return // nothing waits for this token any more
      // A scope the challenge cannot carry: a plain 401 instead.
      process.emitWarning(`picomcp: ${message(e)}; the request is refused (401)`, { code: 'PICOMCP_AUTH_VERIFY' })
      try {
        this._native.authorized(token, null, undefined)
      } catch {
        // nothing waits for this token any more
      }
    }
  }

  _context(ticket, principal) {
    const ctx = new RequestContext(this, ticket, principal)
    this._calls.set(ticket, ctx)
    return ctx
  }

  /** Run `handler` and hand its value (or Promise) to `done`, a throw to `failed`. */
  _run(ticket, run, done, failed) {
    let value
    try {
      value = run()
    } catch (e) {
      return this._finish(ticket, () => failed(e))
    }
    if (isThenable(value)) {
      value.then(
        (v) => this._finish(ticket, () => done(v), true),
        (e) => this._finish(ticket, () => failed(e), true),
      )
    } else {
      this._finish(ticket, () => done(value))
    }
  }

  _finish(ticket, answer, later) {
    this._calls.delete(ticket)
    try {
      answer()
    } catch (e) {
      // The handler's value could not be sent as it is: the client still gets an answer.
      this._native.answerError(ticket, ErrorCode.InternalError, message(e))
    }
    if (later) this._flushSoon()
  }

  _callTool(ticket, id, args, principal) {
    const entry = this._entries.tool[id]
    if (entry === undefined) return this._native.answerError(ticket, ErrorCode.InvalidParams, 'unknown tool')
    const ctx = this._context(ticket, principal)
    const fail = (e) => this._answerTool(ticket, { content: [{ type: 'text', text: message(e) }], isError: true })
    this._run(
      ticket,
      () => {
        if (entry.parse !== null) {
          const parsed = entry.parse(args)
          if (!parsed.ok) return { content: [{ type: 'text', text: `invalid arguments: ${parsed.message}` }], isError: true }
          args = parsed.value
        }
        return entry.handler(args, ctx)
      },
      (result) => this._answerTool(ticket, result),
      fail,
    )
  }

  _answerTool(ticket, result) {
    if (!isPlainObject(result)) throw invalid(`invalid tool result: expected an object, got ${kindOf(result)}`)
    const texts = textsOnly(result)
    if (texts !== null) native(() => this._native.answerToolText(ticket, texts, result.isError === true))
    else native(() => this._native.answerTool(ticket, JSON.stringify(result)))
  }

  _read(ticket, kind, id, uri, variables, principal) {
    const entry = this._entries[kind][id]
    if (entry === undefined) return this._native.answerNotFound(ticket)
    const ctx = this._context(ticket, principal)
    let url
    try {
      url = new URL(uri)
    } catch {
      return this._finish(ticket, () => this._native.answerError(ticket, ErrorCode.InvalidParams, `invalid URI: ${uri}`))
    }
    this._run(
      ticket,
      () => (kind === 'template' ? entry.handler(url, variables, ctx) : entry.handler(url, ctx)),
      (result) => {
        if (result === null || result === undefined) return this._native.answerNotFound(ticket)
        if (!isPlainObject(result)) throw invalid('invalid resource result: expected { contents: [...] }')
        native(() => this._native.answerRead(ticket, JSON.stringify(result)))
      },
      (e) => this._answerFailure(ticket, e),
    )
  }

  _prompt(ticket, id, args, principal) {
    const entry = this._entries.prompt[id]
    if (entry === undefined) return this._native.answerError(ticket, ErrorCode.InvalidParams, 'unknown prompt')
    const ctx = this._context(ticket, principal)
    this._run(
      ticket,
      () => {
        if (entry.parse !== null) {
          const parsed = entry.parse(args)
          if (!parsed.ok) throw new McpError(ErrorCode.InvalidParams, `invalid arguments: ${parsed.message}`)
          args = parsed.value
        }
        return entry.handler(args, ctx)
      },
      (result) => {
        if (!isPlainObject(result)) throw invalid('invalid prompt result: expected { messages: [...] }')
        native(() => this._native.answerPrompt(ticket, JSON.stringify(result)))
      },
      (e) => this._answerFailure(ticket, e),
    )
  }

  _complete(ticket, refKind, name, argument, value, context, principal) {
    const entries = refKind === 'prompt' ? this._entries.prompt : this._entries.template
    const owner = entries.find((e) => e !== undefined && (refKind === 'prompt' ? e.name === name : e.target.uriTemplate === name))
    const completer = owner && Object.prototype.hasOwnProperty.call(owner.complete, argument) ? owner.complete[argument] : null
    if (completer === null) return this._native.answerCompletion(ticket, [])
    this._run(
      ticket,
      () => completer(value, { arguments: context, principal: this._grant(principal) }),
      (values) => {
        if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
          throw invalid('invalid completion: expected an array of strings')
        }
        native(() => this._native.answerCompletion(ticket, values))
      },
      (e) => this._answerFailure(ticket, e),
    )
  }

  /** A resource, prompt or completion handler threw: McpError codes go through. */
  _answerFailure(ticket, e) {
    const code = e instanceof McpError && Number.isInteger(e.code) ? e.code : ErrorCode.InternalError
    this._native.answerError(ticket, code, message(e))
  }

  _log(ticket, level, data, logger) {
    const json = JSON.stringify(data === undefined ? null : data)
    return this._send(() => this._native.log(ticket, level, json, logger))
  }

  /** Send a notification now (written on the next flush). */
  _send(f) {
    const sent = native(f)
    if (sent) this._flushSoon()
    return sent
  }

  /** Write the output once this turn of the loop is over. */
  _flushSoon() {
    if (this._flushQueued || this._transport === null) return
    this._flushQueued = true
    setImmediate(() => {
      this._flushQueued = false
      this._pump()
    })
  }

  /** Cancel every call in flight (the transport closed). */
  _cancelAll() {
    for (const ctx of this._calls.values()) ctx._cancel()
    this._calls.clear()
  }
}

module.exports = { McpServer, ResourceTemplate }
