// The Node table's row for picomcp's Node binding: the same `echo(text: string)` tool as
// sdk1_echo.mjs and sdk2_echo.mjs, returning one text block equal to `text`, from a
// plain (sync) function.
//
//   node bench/node/picomcp_echo.js      serves MCP on stdin/stdout
//
// The binding is required by path from the repository's bindings-node/ folder (bench/run.sh
// builds it there), so this folder's npm install never builds it.

const { McpServer } = require('../../bindings-node');

// The default limits: the handler is sync, so each call is answered before the next line
// is read and a pipelining client never has more than one call in flight here.
const server = new McpServer({ name: 'picomcp-node-echo', version: '1.0.0' });

server.registerTool(
    'echo',
    {
        description: 'Echo the text back',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    },
    ({ text }) => ({ content: [{ type: 'text', text }] })
);

// Resolves when stdin closes; then nothing keeps the process alive.
server.connectStdio();
