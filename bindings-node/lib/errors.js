'use strict'
// The errors picomcp throws (PicomcpError: misuse of the API) and the one handlers throw
// to answer with a JSON-RPC error of their choosing (McpError).

/** JSON-RPC error codes a handler may answer with (the ones MCP uses). */
const ErrorCode = Object.freeze({
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ResourceNotFound: -32002,
})

/** Thrown by a resource or prompt handler: the client gets this JSON-RPC error. */
class McpError extends Error {
  /**
   * @param {number} code a JSON-RPC error code (see ErrorCode)
   * @param {string} message what went wrong
   */
  constructor(code, message) {
    super(message)
    this.name = 'McpError'
    this.code = code
  }
}

/** Misuse of picomcp's API: a bad argument, a taken name, or a call at the wrong time. */
class PicomcpError extends Error {
  /**
   * @param {string} code ERR_PICOMCP_INVALID, ERR_PICOMCP_DUPLICATE or ERR_PICOMCP_STATE
   * @param {string} message what is wrong
   */
  constructor(code, message) {
    super(message)
    this.name = 'PicomcpError'
    this.code = code
  }
}

/**
 * Thrown by `auth.verify` (listenHttp): the token is good but lacks `scope` (the missing
 * scopes, space-separated); the client gets 403 with `error="insufficient_scope"`.
 */
class InsufficientScopeError extends Error {
  /**
   * @param {string} scope the scopes the request needs, space-separated
   * @param {string} [message] what is wrong
   */
  constructor(scope, message) {
    super(message === undefined ? `insufficient scope: ${scope}` : message)
    this.name = 'InsufficientScopeError'
    this.scope = String(scope)
  }
}

const invalid = (message) => new PicomcpError('ERR_PICOMCP_INVALID', message)

/** The native module's refusal as a PicomcpError (see bindings-node/src/server.rs). */
function fromNative(e) {
  if (!(e instanceof Error) || e instanceof PicomcpError) return e
  if (e.message.startsWith('duplicate: ')) return new PicomcpError('ERR_PICOMCP_DUPLICATE', e.message.slice(11))
  if (e.code === 'InvalidArg') return invalid(e.message)
  return new PicomcpError('ERR_PICOMCP_STATE', e.message)
}

/** Run `f`, turning a native refusal into a PicomcpError. */
function native(f) {
  try {
    return f()
  } catch (e) {
    throw fromNative(e)
  }
}

module.exports = { ErrorCode, McpError, PicomcpError, InsufficientScopeError, invalid, fromNative, native }
