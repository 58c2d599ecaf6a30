// Plumbing shared by the TypeScript-SDK client tests of a demo server (see run.sh).
//
// - CLIENTS: the SDK clients under test, each on one protocol revision:
//     v1         @modelcontextprotocol/sdk 1.x Client, legacy `initialize` at 2025-11-25
//     v2         @modelcontextprotocol/client 2.x Client pinned to 2026-07-28
//                (versionNegotiation: { mode: { pin: '2026-07-28' } })
//     v2-legacy  @modelcontextprotocol/client 2.x Client in its default legacy mode
//   PICOMCP_TS_CLIENTS (comma-separated) picks a subset.
// - connect(kind): a connected client whose traffic is recorded in a Wire, so tests can
//   check what really crossed the transport (ids, progress tokens, cancellations, late
//   answers, exact error codes) and, over stdio, that stdout carried only JSON-RPC and
//   that the server exits with status 0 within a second of its stdin closing.
// - The transport is PICOMCP_TRANSPORT: `stdio` (default; the server command is
//   PICOMCP_DEMO_CMD, shell words, or <repo>/target/release/picomcp-demo) or `http`
//   (Streamable HTTP to PICOMCP_DEMO_URL, or to a server this file starts: the server
//   command plus PICOMCP_DEMO_HTTP_ARGS, default `--http 127.0.0.1:{port}`, on a free port).

import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const DEFAULT_SERVER = path.join(REPO_ROOT, 'target', 'release', 'picomcp-demo');
export const BUILD_COMMAND = 'cargo build --release -p picomcp-demo';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';

// Per-request bound: no request of the tests should come near it.
export const REQUEST_TIMEOUT_MS = 10_000;
// Bound on the server's exit after its stdin closes (the contract's "within a second").
export const EXIT_WITHIN_MS = 1_000;

// --------------------------------------------------------------------------- configuration

/** The SDK clients and the revision each speaks. */
export const ALL_CLIENTS = {
  v1: { sdk: '@modelcontextprotocol/sdk', era: 'legacy', version: LEGACY_VERSION },
  v2: { sdk: '@modelcontextprotocol/client', era: 'modern', version: MODERN_VERSION },
  'v2-legacy': { sdk: '@modelcontextprotocol/client', era: 'legacy', version: LEGACY_VERSION },
};

function selectedClients() {
  const raw = (process.env.PICOMCP_TS_CLIENTS ?? '').trim();
  if (!raw) return Object.keys(ALL_CLIENTS);
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (!(kind in ALL_CLIENTS)) {
      throw new Error(`PICOMCP_TS_CLIENTS: unknown client ${JSON.stringify(kind)} (known: ${Object.keys(ALL_CLIENTS).join(', ')})`);
    }
  }
  return kinds;
}

/** The client kinds to test, in order. */
export const CLIENTS = selectedClients();

export const TRANSPORT = (process.env.PICOMCP_TRANSPORT ?? 'stdio').trim() || 'stdio';
if (TRANSPORT !== 'stdio' && TRANSPORT !== 'http') {
  throw new Error(`PICOMCP_TRANSPORT must be "stdio" or "http", not ${JSON.stringify(TRANSPORT)}`);
}

/** Split a command line into words like a POSIX shell would (quotes and backslashes; no expansion). */
export function shellWords(text) {
  const words = [];
  let word = null;
  let i = 0;
  const add = (s) => {
    word = (word ?? '') + s;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${JSON.stringify(text)}`);
      add(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      let s = '';
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated " in ${JSON.stringify(text)}`);
        const d = text[i];
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1])) {
          s += text[i + 1];
          i += 2;
        } else {
          s += d;
          i += 1;
        }
      }
      add(s);
      i += 1;
    } else if (c === '\\') {
      if (i + 1 < text.length) add(text[i + 1]);
      i += 2;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
      i += 1;
    } else {
      add(c);
      i += 1;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The demo server command line: PICOMCP_DEMO_CMD as shell words, or the Rust demo. */
export function serverCommand() {
  const raw = (process.env.PICOMCP_DEMO_CMD ?? '').trim();
  return raw ? shellWords(raw) : [DEFAULT_SERVER];
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  if (name.includes('/')) return isExecutable(name);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, name)));
}

/** Why the tests cannot run (no server to start), or null when they can. */
export function missingServerMessage() {
  if (TRANSPORT === 'http' && (process.env.PICOMCP_DEMO_URL ?? '').trim()) return null;
  if ((process.env.PICOMCP_DEMO_CMD ?? '').trim()) {
    const [program] = serverCommand();
    if (!program) return 'PICOMCP_DEMO_CMD is empty after splitting it into words';
    return onPath(program) ? null : `PICOMCP_DEMO_CMD names ${JSON.stringify(program)}, which is not an executable file or on PATH`;
  }
  if (isExecutable(DEFAULT_SERVER)) return null;
  return (
    `the demo server ${DEFAULT_SERVER} does not exist; build it first with\n` +
    `    ${BUILD_COMMAND}\n` +
    'or set PICOMCP_DEMO_CMD to the command of another demo server.'
  );
}

/** The workspace package version from <repo>/Cargo.toml ([workspace.package] version). */
function crateVersion() {
  try {
    const toml = readFileSync(path.join(REPO_ROOT, 'Cargo.toml'), 'utf8');
    const section = toml.split(/^\[/m).find((s) => s.startsWith('workspace.package]'));
    const match = section && /^version\s*=\s*"([^"]+)"/m.exec(section);
    return match ? match[1] : null;
  } catch {
    return null;
  }
}

/**
 * The serverInfo the tests expect: PICOMCP_DEMO_NAME / PICOMCP_DEMO_VERSION when set; for
 * the default Rust demo `picomcp-demo` and the crate's version; otherwise null (any
 * non-empty string is accepted).
 */
export function expectedServerInfo() {
  const custom = Boolean((process.env.PICOMCP_DEMO_CMD ?? '').trim() || (TRANSPORT === 'http' && (process.env.PICOMCP_DEMO_URL ?? '').trim()));
  const name = (process.env.PICOMCP_DEMO_NAME ?? '').trim() || (custom ? null : 'picomcp-demo');
  const version = (process.env.PICOMCP_DEMO_VERSION ?? '').trim() || (custom ? null : crateVersion());
  return { name, version };
}

// --------------------------------------------------------------------------- wire tap

const now = () => performance.now() / 1000;

/** Everything sent to and received from the server during one session. */
export class Wire {
  constructor() {
    /** @type {{t: number, direction: 'out'|'in', message: any}[]} */
    this.events = [];
    /** Transport-level errors (e.g. a stdout line that is not JSON-RPC). */
    this.errors = [];
    /** Raw stdout lines that are not JSON-RPC objects (stdio only). */
    this.badLines = [];
  }

  record(direction, message) {
    this.events.push({ t: now(), direction, message: structuredClone(message) });
  }

  /** Messages the client wrote, optionally only those of one method. */
  sent(method) {
    return this.events.filter((e) => e.direction === 'out' && (method === undefined || e.message.method === method));
  }

  /** Messages the server wrote, optionally only notifications/requests of one method. */
  received(method) {
    return this.events.filter((e) => e.direction === 'in' && (method === undefined || e.message.method === method));
  }

  /** Requests (messages with an id and a method) the client wrote, in order. */
  requestsSent() {
    return this.sent().map((e) => e.message).filter((m) => 'id' in m && 'method' in m);
  }

  /** The JSON-RPC id of the (single) tools/call request for `tool`. */
  toolCallId(tool) {
    const ids = this.sent('tools/call').filter((e) => e.message.params.name === tool).map((e) => e.message.id);
    if (ids.length !== 1) throw new Error(`expected one tools/call for ${JSON.stringify(tool)} on the wire, saw ${ids.length}`);
    return ids[0];
  }

  /** Responses (results or errors) the server wrote for `id`. */
  responsesTo(id) {
    return this.received().filter((e) => !('method' in e.message) && e.message.id === id);
  }

  /** The one response to the last request of `method` the client wrote. */
  lastResponse(method) {
    const requests = this.sent(method).filter((e) => 'id' in e.message);
    if (requests.length === 0) throw new Error(`no ${method} request on the wire`);
    const { id } = requests.at(-1).message;
    const responses = this.responsesTo(id);
    if (responses.length !== 1) throw new Error(`expected one response to ${method} id ${id}, saw ${responses.length}`);
    return responses[0].message;
  }

  /** notifications/progress the server wrote for `token`, in arrival order. */
  progressFor(token) {
    return this.received('notifications/progress').filter((e) => e.message.params?.progressToken === token);
  }
}

/**
 * Record a transport's traffic in `wire`: outgoing messages by wrapping `send`, incoming
 * ones through a pre-set `onmessage`, which both SDKs' Protocol.connect chain in front of
 * their own handler. The instance is patched, not subclassed: the 2.x client only runs its
 * stdio era probe on a sibling process for the SDK's exact StdioClientTransport class.
 */
function tap(transport, wire) {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    wire.record('out', message);
    return send(message, options);
  };
  transport.onmessage = (message) => wire.record('in', message);
  transport.onerror = (error) => wire.errors.push(error);
}

/**
 * Over stdio, also watch the child's raw stdout (every line must be a JSON-RPC object: the
 * 2.x SDK silently skips lines that are not JSON) and keep the child for the exit check.
 * The SDK keeps the child in `_process` (both 1.x and 2.x); without it the raw checks are
 * skipped and a note is left in `session.notes`.
 */
function watchChild(transport, wire, session) {
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    const child = transport._process;
    if (!child?.stdout) {
      session.notes.push('the SDK stdio transport has no _process: raw stdout and exit-status checks skipped');
      return;
    }
    session.child = child;
    session.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    session.exited.then(() => {
      session.exitedAt = now();
    });
    // Decode on the side: setEncoding() would hand the SDK strings instead of Buffers.
    const decoder = new StringDecoder('utf8');
    let pending = '';
    child.stdout.on('data', (chunk) => {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        let ok = false;
        try {
          const parsed = JSON.parse(line);
          ok = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && parsed.jsonrpc === '2.0';
        } catch {
          ok = false;
        }
        if (!ok) wire.badLines.push(line);
      }
    });
  };
}

// --------------------------------------------------------------------------- HTTP server

let httpServer = null; // { url, child, stderr }

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Start the demo server in HTTP mode on a free port and wait until it accepts
 * connections. The URL is the one it prints on stderr (a line containing
 * `http://127.0.0.1:PORT/mcp`), or http://127.0.0.1:PORT/mcp when it prints none.
 */
async function startHttpServer() {
  const port = await freePort();
  const template = (process.env.PICOMCP_DEMO_HTTP_ARGS ?? '').trim() || '--http 127.0.0.1:{port}';
  const [program, ...args] = [...serverCommand(), ...shellWords(template.replaceAll('{port}', String(port)))];
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const server = { url: null, child, stderr: '', stdout: '' };
  child.stderr.setEncoding('utf8');
  child.stdout.setEncoding('utf8');
  child.stderr.on('data', (s) => {
    server.stderr += s;
  });
  child.stdout.on('data', (s) => {
    server.stdout += s;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', (error) => {
    exited = true;
    server.stderr += `\n(spawn failed: ${error.message})`;
  });
  const deadline = now() + 10;
  for (;;) {
    const printed = /http:\/\/127\.0\.0\.1:(\d+)\/mcp\b/.exec(server.stderr);
    if (printed && (await canConnect(Number(printed[1])))) {
      server.url = printed[0];
      break;
    }
    if (!printed && (await canConnect(port))) {
      // Give the server a moment to print its URL, if it prints one.
      await new Promise((r) => setTimeout(r, 100));
      const late = /http:\/\/127\.0\.0\.1:(\d+)\/mcp\b/.exec(server.stderr);
      server.url = late ? late[0] : `http://127.0.0.1:${port}/mcp`;
      break;
    }
    if (exited) {
      throw new Error(`the HTTP demo server (${[program, ...args].join(' ')}) exited before accepting connections; stderr:\n${server.stderr}`);
    }
    if (now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the HTTP demo server (${[program, ...args].join(' ')}) accepted no connection on port ${port} within 10 s; stderr:\n${server.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}

/** Call from a before() hook: over HTTP without PICOMCP_DEMO_URL, starts the server. */
export async function setUp() {
  const missing = missingServerMessage();
  if (missing) throw new Error(missing);
  if (TRANSPORT === 'http' && !(process.env.PICOMCP_DEMO_URL ?? '').trim() && !httpServer) {
    httpServer = await startHttpServer();
  }
}

/** Call from an after() hook: stops the HTTP server setUp() started, if any. */
export async function tearDown() {
  if (!httpServer) return;
  const { child } = httpServer;
  httpServer = null;
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  }
}

function httpUrl() {
  const url = (process.env.PICOMCP_DEMO_URL ?? '').trim() || httpServer?.url;
  if (!url) throw new Error('PICOMCP_TRANSPORT=http: no PICOMCP_DEMO_URL and no server started (call setUp() in a before() hook)');
  return new URL(url);
}

/** The HTTP server's stderr so far (empty when it was not started here). */
export function httpServerStderr() {
  return httpServer?.stderr ?? '';
}

// --------------------------------------------------------------------------- sessions

const CLIENT_INFO = { name: 'picomcp-ts-test', version: '0' };

function makeClient(kind, mode) {
  if (kind === 'v1') return new ClientV1(CLIENT_INFO, { capabilities: {} });
  const versionNegotiation = mode === 'auto' ? { mode: 'auto' } : kind === 'v2' ? { mode: { pin: MODERN_VERSION } } : { mode: 'legacy' };
  return new ClientV2(CLIENT_INFO, { capabilities: {}, versionNegotiation });
}

function makeTransport(kind) {
  const v1 = kind === 'v1';
  if (TRANSPORT === 'http') {
    const Http = v1 ? HttpV1 : HttpV2;
    return new Http(httpUrl());
  }
  const [command, ...args] = serverCommand();
  const Stdio = v1 ? StdioV1 : StdioV2;
  return new Stdio({ command, args, env: { ...process.env }, stderr: 'pipe' });
}

/**
 * A connected SDK client and the record of its traffic.
 *
 * Methods take the same parameters on both SDK majors; `callTool` hides the 1.x
 * signature's extra result-schema argument. Every request gets REQUEST_TIMEOUT_MS unless
 * the options say otherwise.
 */
export class Session {
  constructor(kind, client, transport, wire) {
    this.kind = kind;
    this.client = client;
    this.transport = transport;
    this.wire = wire;
    this.stderrText = '';
    this.notes = [];
    this.child = null;
    this.exited = null;
    this.exitedAt = null;
  }

  get protocolVersion() {
    return this.client.getNegotiatedProtocolVersion?.() ?? this.initializeResult()?.protocolVersion;
  }

  get modern() {
    return this.protocolVersion === MODERN_VERSION;
  }

  /** The initialize result on the wire (legacy), or undefined. */
  initializeResult() {
    const [init] = this.wire.sent('initialize');
    if (!init) return undefined;
    return this.wire.responsesTo(init.message.id)[0]?.message.result;
  }

  opts(options) {
    return { timeout: REQUEST_TIMEOUT_MS, ...options };
  }

  callTool(name, args, options) {
    const params = { name, arguments: args };
    return this.kind === 'v1' ? this.client.callTool(params, undefined, this.opts(options)) : this.client.callTool(params, this.opts(options));
  }

  listTools(options) {
    return this.client.listTools(undefined, this.opts(options));
  }

  listResources(options) {
    return this.client.listResources(undefined, this.opts(options));
  }

  listResourceTemplates(options) {
    return this.client.listResourceTemplates(undefined, this.opts(options));
  }

  readResource(uri, options) {
    return this.client.readResource({ uri }, this.opts(options));
  }

  listPrompts(options) {
    return this.client.listPrompts(undefined, this.opts(options));
  }

  getPrompt(name, args, options) {
    const params = args === undefined ? { name } : { name, arguments: args };
    return this.client.getPrompt(params, this.opts(options));
  }

  complete(ref, argument, options) {
    return this.client.complete({ ref, argument }, this.opts(options));
  }

  ping(options) {
    return this.client.ping(this.opts(options));
  }

  setLoggingLevel(level, options) {
    return this.client.setLoggingLevel(level, this.opts(options));
  }

  /** Server stderr so far (stdio: this session's child; http: the server started here). */
  stderr() {
    return TRANSPORT === 'stdio' ? this.stderrText : httpServerStderr();
  }
}

/**
 * Start the demo server (stdio) or open a session to it (http) and connect the `kind`
 * client; `mode: 'auto'` makes a 2.x client negotiate with `auto` instead of its fixed
 * mode. Returns the Session; call `close(session)` when done.
 */
export async function connect(kind, { mode } = {}) {
  const wire = new Wire();
  const client = makeClient(kind, mode);
  const transport = makeTransport(kind);
  const session = new Session(kind, client, transport, wire);
  tap(transport, wire);
  if (TRANSPORT === 'stdio') {
    watchChild(transport, wire, session);
    transport.stderr?.setEncoding?.('utf8');
    transport.stderr?.on('data', (s) => {
      session.stderrText += typeof s === 'string' ? s : s.toString('utf8');
    });
  }
  try {
    await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  } catch (error) {
    await client.close().catch(() => {});
    throw withServerStderr(error, session);
  }
  return session;
}

/**
 * Close the session. After a passing test (`check`), also asserts, over stdio, that every
 * stdout line was a JSON-RPC object and that the server exited with status 0 within
 * EXIT_WITHIN_MS of its stdin closing.
 */
export async function close(session, { check = true } = {}) {
  const closedAt = now();
  try {
    if (TRANSPORT === 'http' && session.transport.sessionId !== undefined) {
      await session.transport.terminateSession?.().catch(() => {});
    }
    await session.client.close();
  } finally {
    if (session.child && session.child.exitCode === null && session.child.signalCode === null) session.child.kill('SIGKILL');
  }
  if (!check) return;
  const { wire } = session;
  if (wire.badLines.length) {
    throw new Error(`the server wrote lines to stdout that are not JSON-RPC objects: ${JSON.stringify(wire.badLines.slice(0, 5))}`);
  }
  if (wire.errors.length) {
    throw new Error(`transport errors during the session: ${wire.errors.map((e) => String(e?.message ?? e)).join('; ')}`);
  }
  if (TRANSPORT === 'stdio' && session.child) {
    await session.exited;
    const { exitCode, signalCode } = session.child;
    if (exitCode !== 0) {
      throw new Error(`the server exited with status ${exitCode}${signalCode ? ` (signal ${signalCode})` : ''} after its stdin closed`);
    }
    const took = session.exitedAt - closedAt;
    if (took * 1000 > EXIT_WITHIN_MS) {
      throw new Error(`the server took ${took.toFixed(2)} s to exit after its stdin closed`);
    }
  }
}

/** Add the server's stderr to an error's message (for failure reports). */
export function withServerStderr(error, session) {
  const stderr = session?.stderr?.() ?? '';
  const notes = session?.notes?.length ? `\n--- notes ---\n${session.notes.join('\n')}` : '';
  if (!stderr && !notes) return error;
  const tail = stderr.length > 4000 ? `...${stderr.slice(-4000)}` : stderr;
  if (error instanceof Error) {
    error.message += `${notes}\n--- server stderr ---\n${tail}`;
    return error;
  }
  return new Error(`${String(error)}${notes}\n--- server stderr ---\n${tail}`);
}

/** Run `body(session)` on a fresh connection of the `kind` client and close it. */
export async function withSession(kind, body, options = {}) {
  const session = await connect(kind, options);
  let failed = true;
  try {
    await body(session);
    failed = false;
  } catch (error) {
    throw withServerStderr(error, session);
  } finally {
    // After a failure, close without the end-of-session checks so the first error shows.
    await close(session, { check: !failed }).catch((error) => {
      if (!failed) throw withServerStderr(error, session);
    });
  }
}
