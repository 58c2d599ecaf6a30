// An MCP echo server over Streamable HTTP written with the official TypeScript
// SDK (@modelcontextprotocol/sdk 1.x, pinned in package.json): one tool,
// `echo(text: string)`, returning one text content block equal to `text`,
// served at http://127.0.0.1:PORT/mcp.
//
// Both setups follow the SDK's own examples (simpleStreamableHttp.js and
// simpleStatelessStreamableHttp.js in dist/esm/examples/server/), minus their
// per-request console.log lines and demo tools:
//
//   --stateful   (default) the documented stateful server: an express app from
//                createMcpExpressApp(), a map of sessions, and for each
//                `initialize` a new McpServer connected to a new
//                StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID,
//                onsessioninitialized }); later requests go to their session's
//                transport, which answers each POST with an SSE stream.
//   --stateless  the documented stateless server: for every POST a new McpServer
//                and a new StreamableHTTPServerTransport({ sessionIdGenerator:
//                undefined, enableJsonResponse: true }), closed when the response
//                closes; replies are plain application/json.
//
// usage: node server.mjs --port PORT [--stateful | --stateless]

import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod/v4';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : NaN;
if (!Number.isInteger(port) || port <= 0) {
    console.error('usage: node server.mjs --port PORT [--stateful | --stateless]');
    process.exit(2);
}
const stateless = args.includes('--stateless');

/** A new MCP server with the one tool. */
function getServer() {
    const server = new McpServer({ name: 'ts-sdk-echo', version: '0.0.0' });
    server.registerTool(
        'echo',
        { description: 'Echo the text back', inputSchema: { text: z.string().describe('The text to send back') } },
        async ({ text }) => ({ content: [{ type: 'text', text }] })
    );
    return server;
}

/** The JSON-RPC error the SDK's examples answer with outside the protocol. */
function jsonRpcError(res, status, code, message) {
    res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

const app = createMcpExpressApp();

if (stateless) {
    app.post('/mcp', async (req, res) => {
        const server = getServer();
        try {
            const transport = new StreamableHTTPServerTransport({
                sessionIdGenerator: undefined,
                enableJsonResponse: true
            });
            res.on('close', () => {
                transport.close();
                server.close();
            });
            await server.connect(transport);
            await transport.handleRequest(req, res, req.body);
        } catch (error) {
            console.error('Error handling MCP request:', error);
            if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
        }
    });
    for (const method of ['get', 'delete']) {
        app[method]('/mcp', (req, res) => {
            res.writeHead(405).end(
                JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null })
            );
        });
    }
} else {
    /** Session id → its transport. */
    const transports = new Map();
    app.post('/mcp', async (req, res) => {
        const sessionId = req.headers['mcp-session-id'];
        try {
            const existing = sessionId ? transports.get(sessionId) : undefined;
            if (existing) {
                await existing.handleRequest(req, res, req.body);
            } else if (!sessionId && isInitializeRequest(req.body)) {
                const transport = new StreamableHTTPServerTransport({
                    sessionIdGenerator: () => randomUUID(),
                    onsessioninitialized: id => {
                        transports.set(id, transport);
                    }
                });
                transport.onclose = () => {
                    if (transport.sessionId) transports.delete(transport.sessionId);
                };
                await getServer().connect(transport);
                await transport.handleRequest(req, res, req.body);
            } else if (sessionId) {
                jsonRpcError(res, 404, -32001, 'Session not found');
            } else {
                jsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
            }
        } catch (error) {
            console.error('Error handling MCP request:', error);
            if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
        }
    });
    // GET (the standalone SSE stream) and DELETE (end of session) go to the session's transport.
    const sessionRequest = async (req, res) => {
        const transport = transports.get(req.headers['mcp-session-id']);
        if (!transport) {
            res.status(400).send('Invalid or missing session ID');
            return;
        }
        await transport.handleRequest(req, res);
    };
    app.get('/mcp', sessionRequest);
    app.delete('/mcp', sessionRequest);
}

app.listen(port, '127.0.0.1', error => {
    if (error) {
        console.error('Failed to start server:', error);
        process.exit(1);
    }
    console.error(`ts-sdk-echo (${stateless ? 'stateless' : 'stateful'}) listening on 127.0.0.1:${port}`);
});

// The bench stops the server with SIGTERM; exit at once.
process.on('SIGTERM', () => process.exit(0));
