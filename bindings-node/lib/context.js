'use strict'
// What a handler gets as its last argument: the call's cancellation signal, progress and
// log notifications about it.

/** The context of one call (`ctx`). Its methods only send while the call is live. */
class RequestContext {
  constructor(server, ticket, principal) {
    this._server = server
    this._ticket = ticket
    this._principal = principal
    this._controller = null
    this._cancelled = false
  }

  /** An AbortSignal fired when the client cancels the call (or goes away). */
  get signal() {
    if (this._controller === null) {
      this._controller = new AbortController()
      if (this._cancelled) this._controller.abort(cancelledReason())
    }
    return this._controller.signal
  }

  /**
   * Who called: `{ name, scopes }` as `auth.verify` (HTTP) or connectStdio's `principal`
   * gave it, or null for an anonymous caller.
   */
  get principal() {
    return this._server._grant(this._principal)
  }

  /** Whether the client asked for progress notifications about this call. */
  get wantsProgress() {
    return this._server._native.wantsProgress(this._ticket)
  }

  /**
   * Send `notifications/progress` (only when the client asked for it with a progress
   * token). Returns whether it was sent.
   * @param {number} progress how far (must increase from one call to the next)
   * @param {number} [total] out of how much
   * @param {string} [message] what is happening
   */
  sendProgress(progress, total, message) {
    return this._server._send(() => this._server._native.progress(this._ticket, progress, total, message))
  }

  /**
   * Send `notifications/message` about this call, if the client's log level lets it
   * through. Returns whether it was sent.
   * @param {'debug'|'info'|'notice'|'warning'|'error'|'critical'|'alert'|'emergency'} level
   * @param {unknown} data anything JSON can hold
   * @param {string} [logger] the logger's name
   */
  log(level, data, logger) {
    return this._server._log(this._ticket, level, data, logger)
  }

  /** The call was cancelled: fire the signal. */
  _cancel() {
    this._cancelled = true
    if (this._controller !== null) this._controller.abort(cancelledReason())
  }
}

function cancelledReason() {
  const e = new Error('the client cancelled the request')
  e.name = 'AbortError'
  return e
}

module.exports = { RequestContext }
