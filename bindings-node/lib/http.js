'use strict'
// The Streamable HTTP transport: the engine parses and answers HTTP itself (sans-IO per
// connection); here are only the sockets. Each connection's bytes go to the engine, and
// what it has for each connection is written after each turn (closing it when told).

const net = require('node:net')

/** Serve `server` over HTTP on `host:port`; resolves to the listener once listening. */
function listen(server, host, port) {
  const sockets = new Map()
  // Connections not read while they hold a whole request beyond the one being answered.
  const paused = new Set()
  const flush = () => {
    for (const conn of server._native.httpPending()) {
      const socket = sockets.get(conn)
      const { data, close } = server._native.httpTake(conn)
      if (socket === undefined) continue
      if (data.length > 0) socket.write(data)
      if (close) socket.end()
    }
    for (const conn of paused) {
      if (!sockets.has(conn) || server._native.httpWantsInput(conn)) {
        paused.delete(conn)
        const socket = sockets.get(conn)
        if (socket !== undefined) socket.resume()
      }
    }
  }
  const listener = net.createServer((socket) => {
    socket.setNoDelay(true)
    const conn = server._native.httpOpen()
    sockets.set(conn, socket)
    socket.on('data', (chunk) => {
      server._native.httpReceive(conn, chunk)
      server._pump()
      if (sockets.has(conn) && !server._native.httpWantsInput(conn)) {
        socket.pause()
        paused.add(conn)
      }
    })
    socket.on('close', () => {
      sockets.delete(conn)
      paused.delete(conn)
      server._native.httpClosed(conn)
      server._pump()
    })
    socket.on('error', () => {
      // 'close' follows; the engine hears of it there.
    })
  })
  const close = () =>
    new Promise((resolve) => {
      for (const socket of sockets.values()) socket.destroy()
      listener.close(() => resolve())
    })
  Object.assign(server._transport, { flush, close })
  return new Promise((resolve, reject) => {
    listener.once('error', reject)
    listener.listen(port, host, () => {
      listener.off('error', reject)
      const address = listener.address()
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
      resolve({ host: address.address, port: address.port, url: `http://${shown}:${address.port}/mcp`, close })
    })
  })
}

module.exports = { listen }
