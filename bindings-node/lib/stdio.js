'use strict'

// The stdio transport: stdin chunks go to the engine as they come, its output is written
// to stdout after each turn. When stdin ends the calls in flight are cancelled and the
// promise resolves.

/** Serve `server` on `stdin`/`stdout`; resolves when stdin ends (or on `close()`). */
function serve(server, stdin, stdout) {
  return new Promise((resolve, reject) => {
    let done = false
    let open = true
    // While stdout's pipe is full (the client does not read), stdin is not read either:
    // memory stays bounded and the client sees the back pressure.
    const write = writer(server, stdout, (full) => (full ? stdin.pause() : done || stdin.resume()))
    const flush = () => {
      // Once serving is over nothing more is written: the calls still in flight were
      // cancelled, and what they answer late is dropped.
      if (open) write()
      else server._native.takeOutput()
    }
    const finish = () => {
      if (done) return
      // A last line without its newline is still a message.
      const last = server._native.finish()
      if (last !== null) {
        const events = JSON.parse(last)
        for (let i = 1; i < events.length; i++) server._dispatch(events[i])
      }
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
      let batch
      try {
        batch = server._native.feed(chunk)
      } catch (e) {
        // Only a misuse of the engine can throw here; say it and stop serving.
        done = true
        reject(e)
        return
      }
      // The engine stops after each line that gives a call: its handler runs (a synchronous
      // one answers at once, freeing its slot) before the next line is read. A batch is
      // [1 or 0 (input waits), ...events].
      while (batch !== null) {
        const events = JSON.parse(batch)
        for (let i = 1; i < events.length; i++) server._dispatch(events[i])
        batch = events[0] === 1 ? server._native.step() : null
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
 * How output reaches `stdout`. The process's own stdout is written by the engine itself,
 * straight to its file descriptor (no JavaScript string, no stream machinery), while the
 * pipe takes the bytes at once; what it does not take (a full, non-blocking pipe) goes
 * through the stream, which waits for the reader, and so does everything after it until the
 * stream drained. Other streams are written as streams, as text (whole JSON-RPC lines).
 * `full(true)` is called when the stream holds output back, `full(false)` once it drained.
 */
function writer(server, stdout, full) {
  const direct = stdout === process.stdout
  let queued = false
  const drained = () => {
    queued = false
    full(false)
  }
  return () => {
    // Straight to the descriptor only while the stream holds nothing (not even a write in
    // progress): the bytes must leave in order.
    const straight = direct && !queued && stdout.writableLength === 0
    const rest = straight ? server._native.writeStdout() : server._native.takeOutput()
    if (rest === null) return
    if (!stdout.write(rest) && !queued) {
      queued = true
      full(true)
      stdout.once('drain', drained)
    }
  }
}

module.exports = { serve }
