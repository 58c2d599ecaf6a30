'use strict'

const fs = require('node:fs')
// The stdio transport: stdin chunks go to the engine as they come, its output is written
// to stdout after each turn. When stdin ends the calls in flight are cancelled and the
// promise resolves.

/** Serve `server` on `stdin`/`stdout`; resolves when stdin ends (or on `close()`). */
function serve(server, stdin, stdout) {
  return new Promise((resolve, reject) => {
    let done = false
    let open = true
    const write = writer(stdout)
    const flush = () => {
      const out = server._native.takeOutput()
      // Once serving is over nothing more is written: the calls still in flight were
      // cancelled, and what they answer late is dropped.
      if (out !== null && open) write(out)
    }
    const finish = () => {
      if (done) return
      done = true
      stdin.off('data', onData)
      stdin.off('end', finish)
      stdin.off('close', finish)
      stdin.off('error', onError)
      server._cancelAll()
      flush()
      open = false
      resolve()
    }
    const onData = (chunk) => {
      let events
      try {
        events = server._native.feed(chunk)
      } catch (e) {
        // Only a misuse of the engine can throw here; say it and stop serving.
        done = true
        reject(e)
        return
      }
      // The engine stops after each line that gives a call: its handler runs (a synchronous
      // one answers at once, freeing its slot) before the next line is read.
      while (events !== null) {
        server._dispatchAll(events)
        events = server._native.step()
      }
      flush()
    }
    const onError = (e) => {
      if (!done) {
        done = true
        reject(e)
      }
    }
    Object.assign(server._transport, {
      flush,
      close: () => {
        finish()
        stdin.pause()
        return Promise.resolve()
      },
    })
    stdin.on('data', onData)
    stdin.on('end', finish)
    stdin.on('close', finish)
    stdin.on('error', onError)
    stdin.resume()
  })
}

/**
 * How output reaches `stdout`: the process's own stdout is written with `fs.writeSync`
 * (one system call, none of the stream machinery) while its pipe takes the text at once;
 * what it does not take (a full pipe) goes through the stream, which waits for the reader,
 * and so does everything after it until the stream drained. Other streams are written as
 * streams. The engine gives text: whole JSON-RPC lines.
 */
function writer(stdout) {
  if (stdout !== process.stdout || typeof stdout.fd !== 'number') return (text) => stdout.write(text)
  let queued = false
  const drained = () => {
    queued = false
  }
  return (text) => {
    let rest = text
    if (!queued) {
      try {
        const done = fs.writeSync(stdout.fd, text)
        const bytes = Buffer.byteLength(text)
        if (done === bytes) return
        rest = Buffer.from(text).subarray(done)
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e
      }
    }
    queued = !stdout.write(rest)
    if (queued) stdout.once('drain', drained)
  }
}

module.exports = { serve }
