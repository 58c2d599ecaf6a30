#!/usr/bin/env node
// picomcp-node-demo: the demo MCP server of docs/demo-contract.md, written with picomcp's
// Node binding, on stdin/stdout, or with `--http HOST:PORT` on Streamable HTTP at
// http://HOST:PORT/mcp.
//
//   npm install ./bindings-node
//   node examples/node/demo.js                         # stdio
//   node examples/node/demo.js --http 127.0.0.1:8000   # Streamable HTTP
//
// It tells you on stderr how to connect the MCP Inspector or Claude Desktop. It serves
// the same tools, resources, prompt and completions as the Rust, C and Python demos, so
// the same client tests check all of them.
'use strict'

const path = require('node:path')
const { McpServer, ResourceTemplate } = require('picomcp')
const { version } = require('picomcp/package.json')

const NAME = 'picomcp-node-demo'

const server = new McpServer(
  { name: NAME, version },
  {
    instructions:
      'A demo server: echo, add, fail and slow tools, a readme, items by id, and a greeting prompt.',
  },
)

const READ_ONLY_IDEMPOTENT = { readOnlyHint: true, idempotentHint: true, openWorldHint: false }
const READ_ONLY = { readOnlyHint: true, openWorldHint: false }

// How often `slow` reports progress, in milliseconds.
const PROGRESS_EVERY_MS = 50

const README =
  'picomcp demo server.\n\nTools: echo(text), add(a, b), fail(), slow(ms).\n' +
  'Resources: demo://readme (this text) and demo://items/{id}.\nPrompt: greet(name).\n'

// ---------------------------------------------------------------------------- tools

server.registerTool(
  'echo',
  {
    title: 'Echo',
    description: 'Returns its text unchanged, as one text block.',
    inputSchema: {
      type: 'object',
      properties: { text: { type: 'string', description: 'The text to echo' } },
      required: ['text'],
    },
    annotations: READ_ONLY_IDEMPOTENT,
  },
  ({ text }) => ({ content: [{ type: 'text', text }] }),
)

server.registerTool(
  'add',
  {
    title: 'Add two numbers',
    description: 'Adds two numbers; the sum comes as structured content {"sum": a + b}.',
    inputSchema: {
      type: 'object',
      properties: {
        a: { type: 'number', description: 'First addend' },
        b: { type: 'number', description: 'Second addend' },
      },
      required: ['a', 'b'],
    },
    outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
    annotations: READ_ONLY_IDEMPOTENT,
  },
  ({ a, b }) => {
    const sum = a + b
    if (!Number.isFinite(sum)) throw new Error('the sum is too large to represent')
    return { content: [{ type: 'text', text: JSON.stringify({ sum }) }], structuredContent: { sum } }
  },
)

server.registerTool(
  'fail',
  {
    title: 'Always fails',
    description: 'Always returns a tool error (isError), to show what one looks like.',
    inputSchema: { type: 'object', properties: {}, required: [] },
    annotations: READ_ONLY,
  },
  () => {
    throw new Error('fail always fails: it exists to show what a tool error looks like')
  },
)

/** Resolves at `at` (a `performance.now()` time); rejects when `signal` fires. */
function until(at, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, Math.max(0, at - performance.now()))
    function done() {
      signal.removeEventListener('abort', aborted)
      resolve()
    }
    function aborted() {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', aborted, { once: true })
  })
}

server.registerTool(
  'slow',
  {
    title: 'Wait a while',
    description: 'Waits the given number of milliseconds without blocking the server, reporting progress every 50 ms.',
    inputSchema: {
      type: 'object',
      properties: {
        ms: { type: 'integer', minimum: 0, maximum: 600000, description: 'How long to wait, in milliseconds' },
      },
      required: ['ms'],
    },
    annotations: READ_ONLY,
  },
  // A cancelled call rejects `until` and nothing more is sent for it (no progress, no result).
  async ({ ms }, ctx) => {
    const start = performance.now()
    for (let waited = PROGRESS_EVERY_MS; waited < ms; waited += PROGRESS_EVERY_MS) {
      await until(start + waited, ctx.signal)
      ctx.sendProgress(waited, ms)
    }
    await until(start + ms, ctx.signal)
    ctx.sendProgress(ms, ms)
    return { content: [{ type: 'text', text: `waited ${ms} ms` }] }
  },
)

// ---------------------------------------------------------------------------- resources

server.registerResource(
  'readme',
  'demo://readme',
  { mimeType: 'text/plain', description: 'What this demo server is' },
  (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: README }] }),
)

const startingWith = (candidates) => (value) => candidates.filter((c) => c.startsWith(value))

server.registerResource(
  'item',
  new ResourceTemplate('demo://items/{id}', { complete: { id: startingWith(['1', '2', '3']) } }),
  { mimeType: 'text/plain', description: 'An item, by id' },
  (uri, { id }) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: `Item ${id}` }] }),
)

// ---------------------------------------------------------------------------- prompt

server.registerPrompt(
  'greet',
  {
    title: 'Greet',
    description: 'A greeting for someone',
    arguments: [{ name: 'name', description: 'Who to greet', required: true }],
    complete: { name: startingWith(['Ada', 'Alan', 'Grace', 'Linus']) },
  },
  ({ name }) => ({
    description: 'A greeting',
    messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}! Please greet ${name} warmly.` } }],
  }),
)

// ---------------------------------------------------------------------------- main

/** Tell a human on stderr how to connect a client (stdout carries only MCP). */
function banner() {
  const script = path.resolve(__filename)
  const config = { mcpServers: { [NAME]: { command: process.execPath, args: [script] } } }
  console.error(
    `${NAME} ${version}: an MCP server on stdin/stdout (protocol revisions 2024-11-05 to 2026-07-28).\n` +
      'Connect a client:\n' +
      `  MCP Inspector:  npx @modelcontextprotocol/inspector ${process.execPath} ${script}\n` +
      '  Claude Desktop: add to claude_desktop_config.json\n' +
      `    ${JSON.stringify(config)}`,
  )
}

const USAGE =
  `usage: ${NAME} [--http HOST:PORT | --version]\n` +
  '  serves MCP on stdin/stdout, or with --http on Streamable HTTP at http://HOST:PORT/mcp\n' +
  '  (see docs/demo-contract.md)'

async function main(argv) {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    console.log(`${NAME} ${version}`)
    return 0
  }
  if (argv.length === 0) {
    banner()
    await server.connectStdio()
    return 0
  }
  const match = argv.length === 2 && argv[0] === '--http' ? /^(.+):(\d+)$/.exec(argv[1]) : null
  if (match === null) {
    console.error(USAGE)
    return 2
  }
  const port = Number(match[2])
  if (!(port > 0 && port < 65536)) {
    console.error(`${NAME}: --http wants HOST:PORT with a port 1-65535, not ${argv[1]}`)
    return 2
  }
  const host = match[1].replace(/^\[(.*)\]$/, '$1')
  const { url } = await server.listenHttp({ host, port })
  console.error(
    `${NAME} ${version}: an MCP server on Streamable HTTP at ${url} ` +
      '(protocol revisions 2024-11-05 to 2026-07-28).\n' +
      'Connect a client:\n' +
      `  MCP Inspector:  npx @modelcontextprotocol/inspector, then transport "Streamable HTTP", URL ${url}`,
  )
  return new Promise(() => {})
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`${NAME}: ${e.message}`)
    process.exit(1)
  },
)
