'use strict'
// The stdio transport: stdin chunks go to the engine as they come, its output is written
// to stdout after each turn. When stdin ends the calls in flight are cancelled and the
// promise resolves.

/** Serve `server` on `stdin`/`stdout`; resolves when stdin ends (or on `close()`). */
function serve(server, stdin, stdout) {
  return new Promise((resolve, reject) => {
    let done = false
    const flush = () => {
      const out = server._native.takeOutput()
      if (out !== null) stdout.write(out)
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
      resolve()
    }
    const onData = (chunk) => {
      try {
        server._native.receive(chunk)
      } catch (e) {
        // Only a misuse of the engine can throw here; say it and stop serving.
        done = true
        reject(e)
        return
      }
      server._pump()
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

module.exports = { serve }
