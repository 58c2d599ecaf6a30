// The Node table's row for picomcp's Node binding: the same `echo(text: string)` tool as
// sdk1_echo.mjs and sdk2_echo.mjs, returning one text block equal to `text`, from a
// plain (sync) function.
//
//   node bench/node/picomcp_echo.js      serves MCP on stdin/stdout
//
// The binding is required by path from the repository's bindings-node/ folder (bench/run.sh
// builds it there), so this folder's npm install never builds it.

const { McpServer } = require('../../bindings-node');

// maxRequests bounds the calls in flight (read, not yet answered); past it a call gets
// -32603 with data.capacity, as in every picomcp server, which the driver counts as a wrong
// reply. The handler is sync, so calls are answered as they are dispatched and the Node
// table's pipelined runs (20,000 calls written without waiting) stay far below it.
const server = new McpServer({ name: 'picomcp-node-echo', version: '1.0.0' }, { maxRequests: 4096 });

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
