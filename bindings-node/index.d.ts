// picomcp for Node.js: the public API (hand-written; the native layer's own typings are
// generated into native.d.ts by @napi-rs/cli and checked for drift).

/** A JSON Schema object (the draft MCP uses: 2020-12). */
export type JsonSchema = { [key: string]: unknown }

/** A zod 4 schema (or zod 3.25+'s "zod/v4"): anything with zod's `_zod` internals. */
export interface ZodLike {
  readonly _zod: unknown
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: unknown }
}

/** A schema: JSON Schema, a zod object schema, or a zod raw shape (`{ a: z.number() }`). */
export type Schema = JsonSchema | ZodLike | { [key: string]: ZodLike }

/** Behaviour hints shown to clients (`annotations`). */
export interface ToolAnnotations {
  title?: string
  readOnlyHint?: boolean
  destructiveHint?: boolean
  idempotentHint?: boolean
  openWorldHint?: boolean
}

/** Content annotations a block may carry (passed through as given). */
export interface Annotations {
  audience?: Array<'user' | 'assistant'>
  priority?: number
  lastModified?: string
}

/** `text` content. */
export interface TextContent {
  type: 'text'
  text: string
  annotations?: Annotations
  _meta?: { [key: string]: unknown }
}

/** `image` or `audio` content: base64 data. */
export interface MediaContent {
  type: 'image' | 'audio'
  /** Base64 text. */
  data: string
  mimeType: string
  annotations?: Annotations
  _meta?: { [key: string]: unknown }
}

/** A link to a resource. */
export interface ResourceLink {
  type: 'resource_link'
  uri: string
  name: string
  title?: string
  description?: string
  mimeType?: string
  size?: number
  annotations?: Annotations
  _meta?: { [key: string]: unknown }
}

/** One entry of resource contents: text, or base64 `blob`. */
export type ResourceContents =
  | { uri: string; mimeType?: string; text: string; _meta?: { [key: string]: unknown } }
  | { uri: string; mimeType?: string; blob: string; _meta?: { [key: string]: unknown } }

/** An embedded resource. */
export interface EmbeddedResource {
  type: 'resource'
  resource: ResourceContents
  annotations?: Annotations
  _meta?: { [key: string]: unknown }
}

/** A content block of a tool result or a prompt message. */
export type ContentBlock = TextContent | MediaContent | ResourceLink | EmbeddedResource

/** What a tool returns. */
export interface CallToolResult {
  content?: ContentBlock[]
  structuredContent?: { [key: string]: unknown }
  isError?: boolean
}

/** What a resource handler returns (or null / undefined: "resource not found"). */
export interface ReadResourceResult {
  contents: ResourceContents[]
}

/** One message of a prompt. */
export interface PromptMessage {
  role: 'user' | 'assistant'
  content: ContentBlock
}

/** What a prompt returns. */
export interface GetPromptResult {
  messages: PromptMessage[]
  description?: string
}

/** Log levels, lowest first. */
export type LoggingLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency'

/** A value, or a Promise of it. */
export type MaybePromise<T> = T | Promise<T>

/**
 * Who a caller is: what `auth.verify` returned for its bearer token (HTTP), or
 * connectStdio's `principal` (stdio).
 */
export interface Principal {
  /** The caller's name (a user, a client id: whatever the server goes by). */
  readonly name: string
  /** The scopes it holds: it sees every tool, resource and prompt whose scopes it holds all of. */
  readonly scopes: readonly string[]
}

/** The context a handler gets as its last argument. */
export interface RequestContext {
  /** Who called (`{ name, scopes }`), or null for an anonymous caller. */
  readonly principal: Principal | null
  /** Fired when the client cancels the call (or its connection or stdin closes). */
  readonly signal: AbortSignal
  /** Whether the client asked for progress notifications about this call. */
  readonly wantsProgress: boolean
  /** Send `notifications/progress` (only when the client asked); whether it was sent. */
  sendProgress(progress: number, total?: number, message?: string): boolean
  /** Send `notifications/message` about this call, if the client's level lets it through. */
  log(level: LoggingLevel, data: unknown, logger?: string): boolean
}

/** Suggests values for an argument: those starting with `value`, typically. */
export type Completer = (
  value: string,
  context: { arguments: { [name: string]: string }; principal: Principal | null },
) => MaybePromise<string[]>

/**
 * Who may see a tool, resource or prompt: a caller sees it only if it holds every one of
 * these scopes (none, the default: everyone sees it). To a caller that does not, it is
 * absent from lists and unknown to calls, reads, prompts and completions, exactly as if it
 * had never been registered.
 */
export interface Scoped {
  scopes?: string[]
}

/** The configuration of a tool. */
export interface ToolConfig extends Scoped {
  title?: string
  description?: string
  /** Arguments are checked against it before the callback runs (default: any object). */
  inputSchema?: Schema
  outputSchema?: Schema
  annotations?: ToolAnnotations
}

/** The metadata of a resource or resource template. */
export interface ResourceMetadata extends Scoped {
  title?: string
  description?: string
  mimeType?: string
}

/** One prompt argument, when given as a list. */
export interface PromptArgument {
  name: string
  description?: string
  required?: boolean
}

/** The configuration of a prompt. */
export interface PromptConfig extends Scoped {
  title?: string
  description?: string
  /** The arguments as a schema whose properties are strings (JSON Schema or zod)... */
  argsSchema?: Schema
  /** ...or as a list. */
  arguments?: PromptArgument[]
  /** Completers for arguments, by name. */
  complete?: { [argument: string]: Completer }
}

/** A tool's callback. */
export type ToolCallback<Args = any> = (args: Args, ctx: RequestContext) => MaybePromise<CallToolResult>
/** A fixed resource's callback. */
export type ResourceCallback = (uri: URL, ctx: RequestContext) => MaybePromise<ReadResourceResult | null | undefined>
/** A resource template's callback. */
export type TemplateCallback = (
  uri: URL,
  variables: { [name: string]: string },
  ctx: RequestContext,
) => MaybePromise<ReadResourceResult | null | undefined>
/** A prompt's callback. */
export type PromptCallback<Args = any> = (args: Args, ctx: RequestContext) => MaybePromise<GetPromptResult>

/** A registered tool, resource, template or prompt. */
export interface Registered<Config> {
  /** Whether clients see it. */
  readonly enabled: boolean
  /** List it again (clients are told the list changed). */
  enable(): void
  /** Hide it: absent from lists, unknown to calls (clients are told the list changed). */
  disable(): void
  /** Change its registration, callback or enabled state (registered anew). */
  update(changes: Partial<Config> & { name?: string; callback?: Function; enabled?: boolean }): void
  /** Remove it for good; its name may be registered again. */
  remove(): void
}

export type RegisteredTool = Registered<ToolConfig>
export type RegisteredResource = Registered<ResourceMetadata>
export type RegisteredPrompt = Registered<PromptConfig>

/** The server's identity. */
export interface Implementation {
  name: string
  version: string
}

/** Server options. */
export interface ServerOptions {
  /** Told to the model at initialization. */
  instructions?: string
  /**
   * Requests in flight at once (1 to 65536; default 64). Past it, a stdio call gets a
   * -32603 error; HTTP requests wait until an answer frees a slot.
   */
  maxRequests?: number
  /** Items per page of a list (default 0: everything on one page). */
  pageSize?: number
  /** The longest stdio line or HTTP body accepted, in bytes (default 1 MiB). */
  maxLine?: number
}

/**
 * HTTP authorization (OAuth 2.1 resource server): every request goes through `verify`
 * with its `Authorization: Bearer` token. A refused request without a token gets 401
 * `WWW-Authenticate: Bearer resource_metadata="…"` (naming the metadata document served
 * at `/.well-known/oauth-protected-resource/mcp`); with one, `error="invalid_token"` too.
 */
export interface HttpAuthOptions {
  /**
   * Check a bearer token (sync or async; `null` when the request has none): the caller it
   * names (`{ name, scopes }`; return one for `null` to let anonymous callers in), or null
   * for 401. Throw an `InsufficientScopeError` for 403
   * `error="insufficient_scope"`; any other throw is a 401 too (with a warning on stderr)
   * and serving goes on. Requests carrying the token wait for the answer, which is kept
   * for `cacheSeconds`.
   */
  verify(token: string | null): MaybePromise<Principal | null | undefined>
  /** The resource identifier: the endpoint's absolute URL (default `http://` + Host + `/mcp`). */
  resource?: string
  /** The authorization servers (issuer URLs) that issue tokens for this server. */
  authorizationServers: string[]
  /** The scopes clients may ask for (in the metadata document). */
  scopesSupported?: string[]
  /** How long `verify`'s answer about a token is kept, in seconds (default 60; 0: about every request). */
  cacheSeconds?: number
}

/** The HTTP listener `listenHttp` resolves to. */
export interface HttpListener {
  host: string
  port: number
  /** `http://host:port/mcp`. */
  url: string
  close(): Promise<void>
}

/** A URI template for `registerResource`, with optional completers for its variables. */
export declare class ResourceTemplate {
  constructor(uriTemplate: string, callbacks?: { list?: undefined; complete?: { [variable: string]: Completer } })
  readonly uriTemplate: string
}

/** An MCP server on picomcp's engine. */
export declare class McpServer {
  constructor(serverInfo: Implementation, options?: ServerOptions)
  /** Register a tool; arguments are checked against `inputSchema` before `callback` runs. */
  registerTool<Args = any>(name: string, config: ToolConfig, callback: ToolCallback<Args>): RegisteredTool
  /** Register a fixed resource. */
  registerResource(name: string, uri: string, metadata: ResourceMetadata, callback: ResourceCallback): RegisteredResource
  /** Register a resource template. */
  registerResource(
    name: string,
    template: ResourceTemplate,
    metadata: ResourceMetadata,
    callback: TemplateCallback,
  ): RegisteredResource
  /** Register a prompt. */
  registerPrompt<Args = any>(name: string, config: PromptConfig, callback: PromptCallback<Args>): RegisteredPrompt
  /** Send `notifications/message` to the session; whether it was sent. */
  sendLoggingMessage(message: { level: LoggingLevel; data: unknown; logger?: string }): boolean
  /**
   * Serve over stdio; resolves when stdin closes. `principal` says who the peer is: it
   * sees what its scopes reach (without it, anonymous: only what needs no scopes).
   */
  connectStdio(options?: {
    stdin?: NodeJS.ReadableStream
    stdout?: NodeJS.WritableStream
    principal?: Principal | null
  }): Promise<void>
  /**
   * Serve Streamable HTTP at `/mcp` (default host 127.0.0.1, port 0: any free port); with
   * `auth`, every request needs a bearer token `auth.verify` accepts.
   */
  listenHttp(options?: { host?: string; port?: number; auth?: HttpAuthOptions }): Promise<HttpListener>
  /** Stop serving. */
  close(): Promise<void>
}

/** JSON-RPC error codes a handler may answer with. */
export declare const ErrorCode: {
  readonly ParseError: -32700
  readonly InvalidRequest: -32600
  readonly MethodNotFound: -32601
  readonly InvalidParams: -32602
  readonly InternalError: -32603
  readonly ResourceNotFound: -32002
}

/** Thrown by a resource or prompt handler: the client gets this JSON-RPC error. */
export declare class McpError extends Error {
  constructor(code: number, message: string)
  readonly code: number
}

/**
 * Thrown by `auth.verify`: the token is good but lacks `scope` (the missing scopes,
 * space-separated); the client gets 403 with `error="insufficient_scope", scope="…"`.
 */
export declare class InsufficientScopeError extends Error {
  constructor(scope: string, message?: string)
  readonly scope: string
}

/** Misuse of picomcp's API. */
export declare class PicomcpError extends Error {
  constructor(code: PicomcpErrorCode, message: string)
  readonly code: PicomcpErrorCode
}

/** What a PicomcpError is about: a bad argument, a taken name, a call at the wrong time. */
export type PicomcpErrorCode = 'ERR_PICOMCP_INVALID' | 'ERR_PICOMCP_DUPLICATE' | 'ERR_PICOMCP_STATE'
