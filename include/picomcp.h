/*
 * picomcp.h: the C API of picomcp, an allocation-free Model Context Protocol (MCP)
 * server engine. Generated from ffi-c/ by ffi-c/header: do not edit by hand.
 *
 * Conventions, for every function below:
 *  - Functions return a picomcp_status: PICOMCP_STATUS_OK (0) or one of the
 *    PICOMCP_STATUS_* numbers (stable; picomcp_status_str() describes them).
 *  - Pointers are borrowed for the duration of the call; picomcp copies what it keeps
 *    (texts of descriptors) or says otherwise. NULL where a pointer is required gives
 *    PICOMCP_STATUS_NULL_POINTER, never a crash.
 *  - Texts are UTF-8; invalid UTF-8 gives PICOMCP_STATUS_INVALID_UTF8. A (text, len)
 *    pair takes len = PICOMCP_STRLEN for NUL-terminated text.
 *  - A server is not thread-safe: use it from one thread. Callbacks run on the thread
 *    that called picomcp_server_receive/poll/serve_*, and may call only the functions
 *    that say so (the picomcp_call_* functions on their handle, picomcp_server_reply,
 *    _reply_error, _progress, _log, _is_live); re-entering the loop gives
 *    PICOMCP_STATUS_MISUSE.
 *  - Panics never cross this boundary: the library is built with panic = "abort" (and
 *    the core is written not to panic); the no_std build parks the CPU instead.
 *  - Std builds (the default) have picomcp_server_new/free and the stdio and HTTP
 *    drivers; define PICOMCP_NO_STD to hide them when linking the no_std build.
 */

#ifndef PICOMCP_H
#define PICOMCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifndef PICOMCP_NO_STD
#define PICOMCP_STD 1
#endif

/** A length meaning "the text is NUL-terminated", for the (text, len) pairs: (size_t)-1. */
#define PICOMCP_STRLEN SIZE_MAX

/** The version of picomcp this header belongs to (from Cargo.toml). */
#define PICOMCP_VERSION "0.1.0"
#define PICOMCP_VERSION_MAJOR 0
#define PICOMCP_VERSION_MINOR 1
#define PICOMCP_VERSION_PATCH 0




/**
 * The handle of one request being answered: given to a callback (valid until it
 * returns, or after `picomcp_call_defer` not at all), or by `picomcp_server_reply` for a
 * deferred answer (valid until `picomcp_call_send`, `picomcp_call_fail` or
 * `picomcp_call_discard`).
 */
typedef struct picomcp_call picomcp_call;

/**
 * A picomcp server. Create it with `picomcp_server_init` (in memory you provide) or
 * `picomcp_server_new`. Not thread-safe: use it from one thread at a time, and from
 * callbacks only through the functions their documentation allows.
 */
typedef struct picomcp_server picomcp_server;

/**
 * What a call into picomcp did. `PICOMCP_STATUS_OK` (0) is success; every other value is
 * one of the `PICOMCP_STATUS_*` constants, whose numbers never change.
 */
typedef int32_t picomcp_status;

/**
 * A kind of descriptor, as the visibility callback is asked about it.
 */
typedef int32_t picomcp_item;

/**
 * A C callback that says whether `principal` may see a descriptor: `item` is its kind
 * (`PICOMCP_ITEM_*`), `key` its name (tools, prompts), URI (resources) or URI template
 * (templates), `key_len` bytes long and NOT NUL-terminated (compare with `key_len`:
 * `key_len == 5 && memcmp(key, "admin", 5) == 0`), `index` its position among the
 * descriptors of its kind in registration order (0 for the first). Return false to hide
 * it. It runs inside `picomcp_server_receive` and the drivers, for every descriptor a
 * list shows and for every name a request uses; it must not call picomcp functions.
 */
typedef bool (*picomcp_visible_fn)(uint32_t principal,
                                   picomcp_item item,
                                   const char *key,
                                   size_t key_len,
                                   size_t index,
                                   void *userdata);

/**
 * The host's decision about an HTTP request (what the authorize callback returns).
 */
typedef int32_t picomcp_access;

/**
 * A C callback that decides about an HTTP request to the endpoint (std builds, for
 * `picomcp_server_serve_http`). `token` is the bearer token of the request's
 * `Authorization: Bearer …` header, `token_len` bytes, NOT NUL-terminated, or NULL (and
 * 0) when there is none (or the header is not a well-formed bearer token). Store the
 * caller's principal in `*principal` to grant (it starts at 0, anonymous); for
 * `PICOMCP_ACCESS_INSUFFICIENT_SCOPE` point `*scope` at the missing scopes
 * (NUL-terminated, copied at once, at most 255 bytes are kept). It runs on the driver's
 * thread for every request to the endpoint's path; it must not call picomcp functions
 * (they return `MISUSE`).
 */
typedef picomcp_access (*picomcp_authorize_fn)(const char *token,
                                               size_t token_len,
                                               uint32_t *principal,
                                               const char **scope,
                                               void *userdata);

/**
 * The OAuth protected-resource metadata (RFC 9728) of the HTTP endpoint
 * (`picomcp_server_set_protected_resource`). Every text is copied.
 */
typedef struct picomcp_protected_resource {
  /**
   * The resource identifier: the endpoint's absolute URL, `http://` or `https://`, at
   * most 256 bytes (e.g. `"https://mcp.example.com/mcp"`). NULL: `http://` + the
   * request's `Host` + `/mcp`.
   */
  const char *resource;
  /**
   * The issuer URLs of the authorization servers that issue tokens for it
   * (`authorization_server_count` of them; NULL when there are none).
   */
  const char *const *authorization_servers;
  /**
   * How many authorization servers.
   */
  size_t authorization_server_count;
  /**
   * The scopes a client may ask for (`scope_count` of them; NULL when there are none;
   * none leaves `scopes_supported` out of the document).
   */
  const char *const *scopes_supported;
  /**
   * How many scopes.
   */
  size_t scope_count;
} picomcp_protected_resource;

/**
 * Severity of a log message (RFC 5424 levels, `debug` 0 to `emergency` 7).
 */
typedef int32_t picomcp_log_level;

/**
 * A text field of a call (`picomcp_call_field`).
 */
typedef int32_t picomcp_field;

/**
 * What a call asks for (`picomcp_call_kind`).
 */
typedef int32_t picomcp_kind;

/**
 * Capacities of a server: every one bounds what it accepts, and together they give the
 * memory it needs (`picomcp_storage_size`). Start from `picomcp_config_default()`.
 */
typedef struct picomcp_config {
  /**
   * Tools that can be registered.
   */
  uint32_t max_tools;
  /**
   * Fixed resources that can be registered.
   */
  uint32_t max_resources;
  /**
   * Resource templates that can be registered.
   */
  uint32_t max_templates;
  /**
   * Prompts that can be registered.
   */
  uint32_t max_prompts;
  /**
   * Prompt arguments, all prompts together.
   */
  uint32_t max_prompt_arguments;
  /**
   * Requests in flight at once (deferred answers included); one more gets a JSON-RPC
   * error. At least 1.
   */
  uint32_t max_requests;
  /**
   * Bytes for the copies of every registered text (names, descriptions, schemas).
   */
  uint32_t text_bytes;
  /**
   * Bytes of one answer's body while it is written (content blocks, resource
   * contents, messages); a piece that does not fit gives `PICOMCP_STATUS_NO_ROOM`.
   */
  uint32_t result_bytes;
  /**
   * The longest message `picomcp_server_receive` accepts; a longer line gets a
   * JSON-RPC error and is skipped. (`picomcp_server_serve_stdio` accepts 1 MiB.)
   */
  uint32_t input_bytes;
  /**
   * Bytes of output `picomcp_server_receive` queues before `picomcp_server_take_output`
   * must drain them. An answer longer than the whole queue (a long listing) is replaced
   * by a JSON-RPC error naming this limit.
   */
  uint32_t output_bytes;
  /**
   * Bytes of subscribed resource URIs (each costs its length plus 2).
   */
  uint32_t subscription_bytes;
  /**
   * Entries per page of the list methods; 0 sends everything in one page.
   */
  uint32_t page_size;
} picomcp_config;

/**
 * A behaviour hint of a tool: unset (0, what zero-initialisation gives), true or false.
 */
typedef uint8_t picomcp_hint;

/**
 * A tool's behaviour hints (`annotations` in `tools/list`). Zero-initialised: none.
 */
typedef struct picomcp_tool_annotations {
  /**
   * Human-readable title, or NULL.
   */
  const char *title;
  /**
   * `readOnlyHint`: the tool does not change its environment.
   */
  picomcp_hint read_only;
  /**
   * `destructiveHint`: the tool may destroy things.
   */
  picomcp_hint destructive;
  /**
   * `idempotentHint`: calling again with the same arguments has no further effect.
   */
  picomcp_hint idempotent;
  /**
   * `openWorldHint`: the tool talks to an open world of external entities.
   */
  picomcp_hint open_world;
} picomcp_tool_annotations;

/**
 * A tool to register. Every text is copied; NULL means "none" except for `name`.
 */
typedef struct picomcp_tool {
  /**
   * Unique name (required).
   */
  const char *name;
  /**
   * Human-readable name.
   */
  const char *title;
  /**
   * What the tool does.
   */
  const char *description;
  /**
   * JSON Schema of the arguments (an object schema, `"type": "object"`). NULL:
   * `{"type":"object"}`. Arguments are checked against it before the callback runs.
   */
  const char *input_schema;
  /**
   * JSON Schema of the structured content, or NULL.
   */
  const char *output_schema;
  /**
   * Behaviour hints.
   */
  struct picomcp_tool_annotations annotations;
} picomcp_tool;

/**
 * A callback that answers a request: a tool call, a resource read, a prompt get or a
 * completion. `call` is valid until the callback returns (or, after
 * `picomcp_call_defer`, until the answer is sent); `userdata` is the pointer given at
 * registration. Return `PICOMCP_STATUS_OK` after writing the answer (or deferring it);
 * see `picomcp_call_defer` for what other statuses do.
 */
typedef picomcp_status (*picomcp_handler)(struct picomcp_call *call,
                                          void *userdata);

/**
 * A fixed resource to register. Every text is copied; NULL means "none" except for
 * `uri` and `name`.
 */
typedef struct picomcp_resource {
  /**
   * Its URI (required, unique).
   */
  const char *uri;
  /**
   * Programmatic name (required).
   */
  const char *name;
  /**
   * Human-readable name.
   */
  const char *title;
  /**
   * What it holds.
   */
  const char *description;
  /**
   * MIME type.
   */
  const char *mime_type;
} picomcp_resource;

/**
 * A resource template (RFC 6570 level 1-3 URI template) to register.
 */
typedef struct picomcp_template {
  /**
   * The URI template, e.g. `"demo://items/{id}"` (required).
   */
  const char *uri_template;
  /**
   * Programmatic name (required).
   */
  const char *name;
  /**
   * Human-readable name.
   */
  const char *title;
  /**
   * What its resources hold.
   */
  const char *description;
  /**
   * MIME type of its resources.
   */
  const char *mime_type;
} picomcp_template;

/**
 * One argument of a prompt.
 */
typedef struct picomcp_prompt_argument {
  /**
   * Its name (required).
   */
  const char *name;
  /**
   * What it is for, or NULL.
   */
  const char *description;
  /**
   * Whether `prompts/get` must give it (picomcp refuses requests without it).
   */
  bool required;
} picomcp_prompt_argument;

/**
 * A prompt to register.
 */
typedef struct picomcp_prompt {
  /**
   * Unique name (required).
   */
  const char *name;
  /**
   * Human-readable name.
   */
  const char *title;
  /**
   * What it is for.
   */
  const char *description;
  /**
   * Its arguments (`argument_count` of them; NULL when there are none).
   */
  const struct picomcp_prompt_argument *arguments;
  /**
   * How many arguments.
   */
  size_t argument_count;
} picomcp_prompt;

/**
 * A C callback told when the client cancels a request: its ticket is void already.
 */
typedef void (*picomcp_cancel_fn)(uint64_t ticket,
                                  void *userdata);

/**
 * A C callback for deferred work (timers, finishing deferred answers): return in how
 * many milliseconds it wants to be called again, or a negative number for "only after
 * the next input".
 */
typedef int64_t (*picomcp_poll_fn)(struct picomcp_server *server,
                                   void *userdata);

/**
 * Author of a prompt message.
 */
typedef int32_t picomcp_role;

/**
 * A tool (`key`: its name).
 */
#define PICOMCP_ITEM_TOOL 1

/**
 * A fixed resource (`key`: its URI).
 */
#define PICOMCP_ITEM_RESOURCE 2

/**
 * A resource template (`key`: its URI template).
 */
#define PICOMCP_ITEM_TEMPLATE 3

/**
 * A prompt (`key`: its name).
 */
#define PICOMCP_ITEM_PROMPT 4

/**
 * `401 Unauthorized`: no token, or one not accepted. The client sees
 * `WWW-Authenticate: Bearer` (with `error="invalid_token"` when it sent an
 * `Authorization` header) naming the metadata document when one is set. Any value not
 * listed here counts as this.
 */
#define PICOMCP_ACCESS_UNAUTHORIZED 0

/**
 * Serve the request, as coming from the principal stored in `*principal`.
 */
#define PICOMCP_ACCESS_GRANTED 1

/**
 * `403 Forbidden` with `error="insufficient_scope"` and `scope="…"` from `*scope`: the
 * token is good but lacks these scopes (space-separated), which the client may ask for.
 */
#define PICOMCP_ACCESS_INSUFFICIENT_SCOPE 2

/**
 * Not decided yet (the token is checked asynchronously): nothing is answered and the
 * request is asked about again after the next poll. Have the poll callback
 * (`picomcp_server_on_poll`) return a delay, or the driver waits for other input.
 */
#define PICOMCP_ACCESS_PENDING 3

/**
 * `tools/call`.
 */
#define PICOMCP_CALL_TOOL 1

/**
 * `resources/read`.
 */
#define PICOMCP_CALL_RESOURCE 2

/**
 * `prompts/get`.
 */
#define PICOMCP_CALL_PROMPT 3

/**
 * `completion/complete`.
 */
#define PICOMCP_CALL_COMPLETION 4

/**
 * The tool's or prompt's name; for a completion, the prompt's name (`ref/prompt`).
 */
#define PICOMCP_FIELD_NAME 1

/**
 * The URI read; for a completion, the resource template (`ref/resource`).
 */
#define PICOMCP_FIELD_URI 2

/**
 * A completion's argument name.
 */
#define PICOMCP_FIELD_ARGUMENT 3

/**
 * A completion's typed value.
 */
#define PICOMCP_FIELD_VALUE 4

/**
 * The user.
 */
#define PICOMCP_ROLE_USER 0

/**
 * The assistant.
 */
#define PICOMCP_ROLE_ASSISTANT 1

/**
 * `debug`.
 */
#define PICOMCP_LOG_DEBUG 0

/**
 * `info`.
 */
#define PICOMCP_LOG_INFO 1

/**
 * `notice`.
 */
#define PICOMCP_LOG_NOTICE 2

/**
 * `warning`.
 */
#define PICOMCP_LOG_WARNING 3

/**
 * `error`.
 */
#define PICOMCP_LOG_ERROR 4

/**
 * `critical`.
 */
#define PICOMCP_LOG_CRITICAL 5

/**
 * `alert`.
 */
#define PICOMCP_LOG_ALERT 6

/**
 * `emergency`.
 */
#define PICOMCP_LOG_EMERGENCY 7

/**
 * The hint is not sent.
 */
#define PICOMCP_HINT_UNSET 0

/**
 * The hint is `true`.
 */
#define PICOMCP_HINT_TRUE 1

/**
 * The hint is `false`.
 */
#define PICOMCP_HINT_FALSE 2

/**
 * Success.
 */
#define PICOMCP_STATUS_OK 0

/**
 * A required pointer argument was NULL.
 */
#define PICOMCP_STATUS_NULL_POINTER 1

/**
 * A text argument is not valid UTF-8.
 */
#define PICOMCP_STATUS_INVALID_UTF8 2

/**
 * JSON text given to picomcp (a schema, structured content) is not valid JSON, or not
 * the JSON type expected.
 */
#define PICOMCP_STATUS_INVALID_JSON 3

/**
 * An argument is out of range or malformed (an empty name, a bad URI template, a
 * configuration with a zero capacity that must not be zero).
 */
#define PICOMCP_STATUS_INVALID_ARGUMENT 4

/**
 * The caller's output buffer is too small; the length needed was stored.
 */
#define PICOMCP_STATUS_BUFFER_TOO_SMALL 5

/**
 * The server's fixed storage for this is full (descriptor tables, the text arena, the
 * result buffer, the output queue).
 */
#define PICOMCP_STATUS_NO_ROOM 6

/**
 * The memory handed to `picomcp_server_init` is smaller than `picomcp_storage_size`.
 */
#define PICOMCP_STATUS_MEMORY_TOO_SMALL 7

/**
 * A tool, resource, template or prompt with this name (URI) is already registered.
 */
#define PICOMCP_STATUS_DUPLICATE 8

/**
 * Registration after the server started serving, a call handle used after its
 * callback returned, a writer of another kind of answer, re-entering the server.
 */
#define PICOMCP_STATUS_MISUSE 9

/**
 * The ticket is unknown, already answered, or its request was cancelled.
 */
#define PICOMCP_STATUS_STALE_TICKET 10

/**
 * No such argument, variable or field.
 */
#define PICOMCP_STATUS_MISSING 11

/**
 * The argument holds another JSON type than asked for.
 */
#define PICOMCP_STATUS_WRONG_TYPE 12

/**
 * A resource callback's answer: there is no resource at this URI.
 */
#define PICOMCP_STATUS_NOT_FOUND 13

/**
 * The result buffer is in use by another answer being written (one at a time).
 */
#define PICOMCP_STATUS_BUSY 14

/**
 * Writer calls in an order the answer cannot take (content after structured content).
 */
#define PICOMCP_STATUS_OUT_OF_ORDER 15

/**
 * Not possible in the request's protocol revision.
 */
#define PICOMCP_STATUS_WRONG_REVISION 16

/**
 * The output queue is full: take output with `picomcp_server_take_output`, then call
 * again with the input not consumed yet.
 */
#define PICOMCP_STATUS_OUTPUT_FULL 17

/**
 * Reading or writing the transport failed (stdio, a socket), or binding the address.
 */
#define PICOMCP_STATUS_IO 18

/**
 * A callback returned something other than `PICOMCP_STATUS_OK` (seen by the client as
 * an error result).
 */
#define PICOMCP_STATUS_CALLBACK_FAILED 19

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The library's version, `"MAJOR.MINOR.PATCH"` (NUL-terminated, static).
 */
const char *picomcp_version(void);

/**
 * Say who the requests received from now on come from (the peer of
 * `picomcp_server_receive` and `picomcp_server_serve_stdio`): lists, calls, reads,
 * prompts and completions then show only what the visibility callback lets `principal`
 * see, and callbacks get it from `picomcp_call_principal`. 0 (the default) is
 * anonymous. Over HTTP the authorize callback names the principal of each request
 * instead. Statuses `OK`, `NULL_POINTER`, `MISUSE` (from a callback).
 *
 * # Safety
 * `server` is NULL or live.
 */
picomcp_status picomcp_server_set_principal(struct picomcp_server *server,
                                            uint32_t principal);

/**
 * Decide with `visible` which descriptors each principal sees. A hidden descriptor is
 * absent from `tools/list`, `resources/list`, `resources/templates/list` and
 * `prompts/list`, and a client calling, reading, getting or completing it gets exactly
 * what a name never registered gets ("Unknown tool", resource not found, unknown
 * prompt, an empty completion). Without a callback (or with NULL, which removes it) everyone sees everything.
 * picomcp sends no `list_changed` notification when the answers change. Statuses `OK`,
 * `NULL_POINTER` (`server`), `MISUSE` (from a callback).
 *
 * # Safety
 * `server` is NULL or live.
 */
picomcp_status picomcp_server_on_visible(struct picomcp_server *server,
                                         picomcp_visible_fn visible,
                                         void *userdata);

#if defined(PICOMCP_STD)
/**
 * Have `authorize` decide about every request to `picomcp_server_serve_http`'s endpoint
 * from its bearer token (std builds). Without it (or with NULL, which removes it) every
 * request is served as anonymous (principal 0). Statuses `OK`, `NULL_POINTER`
 * (`server`), `MISUSE` (from a callback).
 *
 * # Safety
 * `server` is NULL or live.
 */
picomcp_status picomcp_server_on_authorize(struct picomcp_server *server,
                                           picomcp_authorize_fn authorize,
                                           void *userdata);
#endif

#if defined(PICOMCP_STD)
/**
 * Serve OAuth protected-resource metadata (RFC 9728) from `picomcp_server_serve_http`
 * (std builds): a `GET` of `/.well-known/oauth-protected-resource/mcp` (or of
 * `/.well-known/oauth-protected-resource`) answers the JSON document
 * `{"resource": …, "authorization_servers": […], "scopes_supported": […],
 * "bearer_methods_supported": ["header"]}` without asking the authorize callback, and
 * every `401`/`403` challenge names it: `WWW-Authenticate: Bearer
 * resource_metadata="<origin>/.well-known/oauth-protected-resource/mcp"`, which is how an
 * OAuth client finds the authorization server. Without it that path is `404` and the
 * challenges name no metadata. The texts are copied into the server's text storage
 * (`text_bytes`). Before serving only.
 *
 * Returns `OK`; `NULL_POINTER` (`server`, `meta`, a list with a count but no pointer, or
 * a NULL entry); `INVALID_UTF8`; `INVALID_ARGUMENT` (`resource` is not an `http://` or
 * `https://` URL of at most 256 bytes, or an entry is empty); `NO_ROOM` (`text_bytes`
 * used up); `MISUSE` (serving already started).
 *
 * # Safety
 * `server` is NULL or live; `meta` is NULL or valid, its lists point to their counts of
 * NULL or NUL-terminated strings (or are NULL when the count is 0).
 */
picomcp_status picomcp_server_set_protected_resource(struct picomcp_server *server,
                                                     const struct picomcp_protected_resource *meta);
#endif

/**
 * Who the call comes from: the principal set with `picomcp_server_set_principal` when
 * the request was received, or the one the authorize callback granted the HTTP request
 * (0: anonymous). 0 for NULL, a closed handle, or a reply handle (note it before
 * deferring).
 *
 * # Safety
 * `call` is NULL or a handle picomcp gave (see `picomcp_call`).
 */
uint32_t picomcp_call_principal(struct picomcp_call *call);

/**
 * Defer the answer: the callback returns without answering, and the answer is sent
 * later by ticket (`*ticket` gets it) with `picomcp_server_reply` or
 * `picomcp_server_reply_error`, from the same thread. Arguments and fields are gone
 * once the callback returns: read what you need first. Only before anything was
 * written.
 *
 * Returns `OK`; `NULL_POINTER`; `MISUSE` (not a callback's handle, already deferred or
 * answered, or pieces of the answer were written).
 *
 * A callback that neither defers nor answers with `picomcp_call_fail` has its answer
 * sent when it returns: with `PICOMCP_STATUS_OK`, what it wrote (possibly empty); with
 * `PICOMCP_STATUS_NOT_FOUND` from a resource callback, the protocol's "resource not
 * found" error; with any other status, a tool error result (tools) or a JSON-RPC
 * internal error (the rest) naming the status.
 *
 * # Safety
 * `call` is a handle picomcp gave; `ticket` is NULL or writable.
 */
picomcp_status picomcp_call_defer(struct picomcp_call *call,
                                  uint64_t *ticket);

/**
 * Answer the call now with a JSON-RPC error (`code`, e.g. -32602 invalid params;
 * `message` NUL-terminated), dropping what was written. Tool failures the model should
 * see are better a tool error (`picomcp_call_set_error`). Closes a reply handle.
 *
 * Returns `OK`; `NULL_POINTER`; `INVALID_UTF8`; `STALE_TICKET` (the request was
 * cancelled meanwhile); `MISUSE` (already answered or deferred).
 *
 * # Safety
 * `call` is a handle picomcp gave; `message` is NUL-terminated.
 */
picomcp_status picomcp_call_fail(struct picomcp_call *call,
                                 int32_t code,
                                 const char *message);

/**
 * Report progress on the call (sent only when the client asked for it and `progress`
 * grows). `total` below 0 (or NaN) means unknown; `message` may be NULL. Usable in the
 * callback and, by ticket, later (`picomcp_server_progress`).
 *
 * Returns `OK` (also when nothing had to be sent); `NULL_POINTER`; `INVALID_UTF8`;
 * `STALE_TICKET`; `MISUSE` (outside a callback while the server is serving, or from a
 * cancel callback); `OUTPUT_FULL` (sans-IO: drain the output first).
 *
 * # Safety
 * `call` is a handle picomcp gave; `message` is NULL or NUL-terminated.
 */
picomcp_status picomcp_call_progress(struct picomcp_call *call,
                                     double progress,
                                     double total,
                                     const char *message);

/**
 * Send a log message about the call (`notifications/message`; sent when the client's
 * level lets it through). Statuses as `picomcp_call_progress`, plus `INVALID_ARGUMENT`
 * (an unknown level).
 *
 * # Safety
 * `call` is a handle picomcp gave; `text` is NUL-terminated.
 */
picomcp_status picomcp_call_log(struct picomcp_call *call,
                                picomcp_log_level level,
                                const char *text);

/**
 * Send a log message about the session (not about one call). Statuses as
 * `picomcp_call_log`.
 *
 * # Safety
 * `server` is NULL or live; `text` is NUL-terminated.
 */
picomcp_status picomcp_server_log(struct picomcp_server *server,
                                  picomcp_log_level level,
                                  const char *text);

/**
 * Report progress on the call named by `ticket` (see `picomcp_call_progress`). From a
 * callback (the poll callback, another call's) or, in sans-IO use, between
 * `picomcp_server_receive` calls.
 *
 * # Safety
 * `server` is NULL or live; `message` is NULL or NUL-terminated.
 */
picomcp_status picomcp_server_progress(struct picomcp_server *server,
                                       uint64_t ticket,
                                       double progress,
                                       double total,
                                       const char *message);

/**
 * Whether `ticket` still names a call waiting for its answer (not answered, not
 * cancelled). False for NULL, and from a cancel callback.
 *
 * # Safety
 * `server` is NULL or live.
 */
bool picomcp_server_is_live(struct picomcp_server *server,
                            uint64_t ticket);

/**
 * Start the deferred answer of the call named by `ticket`: `*call` gets a handle for the
 * writers (the first one used sets the kind of answer); send it with
 * `picomcp_call_send` (or `picomcp_call_fail`, or drop it with `picomcp_call_discard`).
 * One answer is written at a time: from a callback whose own answer is still open,
 * this gives `BUSY`.
 *
 * Returns `OK`; `NULL_POINTER`; `STALE_TICKET` (answered or cancelled); `BUSY` (another
 * reply handle is open, or the answer buffer is in use); `MISUSE` (outside a callback
 * while a driver serves, or from a cancel callback).
 *
 * # Safety
 * `server` is NULL or live; `call` is writable.
 */
picomcp_status picomcp_server_reply(struct picomcp_server *server,
                                    uint64_t ticket,
                                    struct picomcp_call **call);

/**
 * Send the deferred answer written on a reply handle, and close the handle.
 *
 * Returns `OK`; `NULL_POINTER`; `STALE_TICKET` (the request was cancelled meanwhile:
 * nothing is sent, the handle is closed); `MISUSE` (not a reply handle: a callback's
 * answer is sent when it returns); `OUTPUT_FULL` (sans-IO: the output queue cannot
 * take it; the handle stays open, drain the output and send again — unless the ticket
 * is no longer live (`picomcp_server_is_live`): the queue overflowed after the answer
 * was committed, which only a poll callback sending past the queue's room can cause).
 *
 * # Safety
 * `call` is NULL or a handle picomcp gave.
 */
picomcp_status picomcp_call_send(struct picomcp_call *call);

/**
 * Close a reply handle without sending anything (the ticket stays live: answer it
 * later). Returns `OK`, `NULL_POINTER`, `MISUSE` (not a reply handle).
 *
 * # Safety
 * `call` is NULL or a handle picomcp gave.
 */
picomcp_status picomcp_call_discard(struct picomcp_call *call);

/**
 * Answer the call named by `ticket` with a JSON-RPC error now. Returns `OK`,
 * `NULL_POINTER`, `INVALID_UTF8`, `STALE_TICKET`, `MISUSE` (as `picomcp_server_reply`).
 *
 * # Safety
 * `server` is NULL or live; `message` is NUL-terminated.
 */
picomcp_status picomcp_server_reply_error(struct picomcp_server *server,
                                          uint64_t ticket,
                                          int32_t code,
                                          const char *message);

/**
 * Copy a text field of the call (`PICOMCP_FIELD_*`) into `buf` (`cap` bytes, NUL
 * added); `*len` (if `len` is not NULL) gets its length in bytes without the NUL, also
 * when `buf` is too small — call with `cap` 0 to size a buffer. Valid inside the
 * callback only.
 *
 * Returns `OK`; `NULL_POINTER`; `BUFFER_TOO_SMALL`; `MISSING` (this kind of call has no
 * such field, or after the callback deferred); `MISUSE` (a closed handle).
 *
 * # Safety
 * As `picomcp_call_kind`; `buf` is NULL or writable for `cap` bytes; `len` is NULL or
 * writable.
 */
picomcp_status picomcp_call_field(struct picomcp_call *call,
                                  picomcp_field field,
                                  char *buf,
                                  size_t cap,
                                  size_t *len);

/**
 * Copy the value of URI-template variable `name` of a template read (its JSON escapes
 * decoded; percent-encoding such as `%20` is left as the URI has it; NUL added) into
 * `buf`; `len` as for `picomcp_call_field`. Returns `OK`, `NULL_POINTER`,
 * `INVALID_UTF8`, `BUFFER_TOO_SMALL`, `MISSING` (no such variable, not a template read,
 * or after deferring), `MISUSE`.
 *
 * # Safety
 * As `picomcp_call_field`; `name` is NUL-terminated.
 */
picomcp_status picomcp_call_variable(struct picomcp_call *call,
                                     const char *name,
                                     char *buf,
                                     size_t cap,
                                     size_t *len);

/**
 * Copy string argument `key` (decoded, NUL added) into `buf`; `len` as for
 * `picomcp_call_field`. Tool arguments were checked against the tool's input schema, so
 * a required string parameter is always there. Returns `OK`, `NULL_POINTER`,
 * `INVALID_UTF8` (`key`), `BUFFER_TOO_SMALL`, `MISSING`, `WRONG_TYPE`, `MISUSE`. Inside
 * the callback only (before it defers).
 *
 * # Safety
 * As `picomcp_call_field`; `key` is NUL-terminated.
 */
picomcp_status picomcp_call_arg_string(struct picomcp_call *call,
                                       const char *key,
                                       char *buf,
                                       size_t cap,
                                       size_t *len);

/**
 * Store number argument `key` in `*out`. Statuses as `picomcp_call_arg_string` (no
 * `BUFFER_TOO_SMALL`).
 *
 * # Safety
 * As `picomcp_call_arg_string`; `out` is writable.
 */
picomcp_status picomcp_call_arg_number(struct picomcp_call *call,
                                       const char *key,
                                       double *out);

/**
 * Store integer argument `key` in `*out` (`WRONG_TYPE` for a number with a fraction or
 * beyond 64 bits). Statuses as `picomcp_call_arg_number`.
 *
 * # Safety
 * As `picomcp_call_arg_number`.
 */
picomcp_status picomcp_call_arg_integer(struct picomcp_call *call,
                                        const char *key,
                                        int64_t *out);

/**
 * Store boolean argument `key` in `*out`. Statuses as `picomcp_call_arg_number`.
 *
 * # Safety
 * As `picomcp_call_arg_number`.
 */
picomcp_status picomcp_call_arg_bool(struct picomcp_call *call,
                                     const char *key,
                                     bool *out);

/**
 * Point `*json` at the JSON text of argument `key` (any type; `*len` bytes, not
 * NUL-terminated), or of all the arguments (an object) when `key` is NULL. The text
 * belongs to picomcp and is valid until the callback returns. Statuses as
 * `picomcp_call_arg_number`.
 *
 * # Safety
 * As `picomcp_call_arg_number`; `key` is NULL or NUL-terminated; `json` and `len` are
 * writable.
 */
picomcp_status picomcp_call_arg_json(struct picomcp_call *call,
                                     const char *key,
                                     const char **json,
                                     size_t *len);

/**
 * What the call asks for: a `PICOMCP_CALL_*` value, or 0 for NULL or a closed handle.
 *
 * # Safety
 * `call` is NULL or a handle picomcp gave (see `picomcp_call`).
 */
picomcp_kind picomcp_call_kind(struct picomcp_call *call);

/**
 * The call's ticket: the number that names it for a deferred answer
 * (`picomcp_server_reply`) and in the cancel callback; never 0. 0 for NULL or a closed
 * handle.
 *
 * # Safety
 * As `picomcp_call_kind`.
 */
uint64_t picomcp_call_ticket(struct picomcp_call *call);

/**
 * Whether the client asked for progress on this call (sent a `progressToken`). A
 * callback's handle only: false for a reply handle (`picomcp_call_progress` works on it
 * all the same, and sends only what was asked for).
 *
 * # Safety
 * As `picomcp_call_kind`.
 */
bool picomcp_call_wants_progress(struct picomcp_call *call);

/**
 * Feed `len` bytes of newline-delimited JSON-RPC input (any split: partial lines are
 * kept) and answer every complete message; answers, notifications and progress go to
 * the output queue (`picomcp_server_take_output`). `*consumed` (if not NULL) gets how
 * many bytes were taken. Callbacks run inside this call.
 *
 * Returns `OK` (everything taken and every complete message answered); `OUTPUT_FULL`
 * (the output queue has less room than one answer may need: drain it, then call again
 * with the bytes not consumed — none, possibly, as messages already taken may wait to be
 * answered: call until `OK`); `NULL_POINTER`; `MISUSE` (called from a callback).
 *
 * A message is taken only while the queue has room for `result_bytes` + 1 KiB and for
 * the longest message written so far. An answer that still does not fit (a listing
 * longer than the room left) is taken back whole and replaced by a JSON-RPC error
 * (-32603, `data: {"limit": output_bytes}`), so no request goes unanswered; size
 * `output_bytes` to hold the longest listing to never see it.
 *
 * # Safety
 * `server` is NULL or live; `data` is valid for `len` bytes; `consumed` is NULL or
 * writable.
 */
picomcp_status picomcp_server_receive(struct picomcp_server *server,
                                      const uint8_t *data,
                                      size_t len,
                                      size_t *consumed);

/**
 * Copy up to `cap` bytes of queued output into `buf` and remove them from the queue;
 * `*written` gets the count (0 when nothing is queued). Output is whole
 * newline-terminated messages, possibly split across calls.
 *
 * Returns `OK`, `NULL_POINTER` (`server`, `written`, or `buf` with `cap` > 0), `MISUSE`
 * (from a callback).
 *
 * # Safety
 * `server` is NULL or live; `buf` is valid for `cap` bytes; `written` is writable.
 */
picomcp_status picomcp_server_take_output(struct picomcp_server *server,
                                          uint8_t *buf,
                                          size_t cap,
                                          size_t *written);

/**
 * How many bytes of output are queued (0 for NULL).
 *
 * # Safety
 * `server` is NULL or live.
 */
size_t picomcp_server_pending_output(struct picomcp_server *server);

/**
 * Run the poll callback (deferred work) now; `*next_ms` (if not NULL) gets in how many
 * milliseconds to call again, or -1 for "after the next input". For the sans-IO loop;
 * the drivers poll by themselves. Returns `OK`, `OUTPUT_FULL` (something did not fit
 * the output queue and was dropped), `NULL_POINTER`, `MISUSE` (from a callback).
 *
 * # Safety
 * `server` is NULL or live; `next_ms` is NULL or writable.
 */
picomcp_status picomcp_server_poll(struct picomcp_server *server,
                                   int64_t *next_ms);

#if defined(PICOMCP_STD)
/**
 * Serve MCP on stdin/stdout (newline-delimited JSON-RPC, messages up to 1 MiB) until
 * stdin closes; callbacks and the poll callback run on this thread. Registration closes.
 * Std builds only.
 *
 * Returns `OK` (stdin closed), `IO` (reading or writing failed, or the registry is
 * invalid), `NULL_POINTER`, `MISUSE` (from a callback).
 *
 * # Safety
 * `server` is NULL or live.
 */
picomcp_status picomcp_server_serve_stdio(struct picomcp_server *server);
#endif

#if defined(PICOMCP_STD)
/**
 * Serve MCP over Streamable HTTP at `http://host:port/mcp` (both protocol eras, one
 * thread, Host/Origin checked against loopback names) until the process ends. `host`
 * is an address such as `"127.0.0.1"`; `port` 0 picks a free port. Std builds only.
 *
 * Returns `IO` (binding or serving failed), `NULL_POINTER`, `INVALID_UTF8`, `MISUSE`
 * (from a callback).
 *
 * # Safety
 * `server` is NULL or live; `host` is NUL-terminated.
 */
picomcp_status picomcp_server_serve_http(struct picomcp_server *server,
                                         const char *host,
                                         uint16_t port);
#endif

/**
 * The defaults: 32 tools, 32 resources, 16 templates, 16 prompts with 64 arguments in
 * all, 64 requests in flight, 32 KiB of texts, 64 KiB per answer, 256 KiB of input line
 * and of output queue, 4 KiB of subscriptions, no paging.
 */
struct picomcp_config picomcp_config_default(void);

/**
 * How many bytes of memory `picomcp_server_init` needs for `config` (NULL: the
 * defaults), or 0 when the configuration is invalid (`max_requests`, `result_bytes`,
 * `input_bytes` or `output_bytes` is 0) or too large to address.
 *
 * # Safety
 * `config` is NULL or points to a `picomcp_config`.
 */
size_t picomcp_storage_size(const struct picomcp_config *config);

/**
 * Create a server in `memory` (`len` bytes, any alignment) that never calls `malloc`.
 * `name` and `version` (copied) are the `serverInfo` clients see. On success `*out`
 * points into `memory`, which must stay valid and untouched until the server is no
 * longer used; there is nothing to free (just stop using it, then reuse the memory).
 *
 * Returns `PICOMCP_STATUS_OK`; `PICOMCP_STATUS_NULL_POINTER` (`memory`, `name`,
 * `version` or `out` is NULL); `PICOMCP_STATUS_INVALID_ARGUMENT` (the configuration is
 * invalid, see `picomcp_storage_size`); `PICOMCP_STATUS_MEMORY_TOO_SMALL`;
 * `PICOMCP_STATUS_INVALID_UTF8`; `PICOMCP_STATUS_NO_ROOM` (the names do not fit
 * `text_bytes`).
 *
 * # Safety
 * `memory` is valid for writes of `len` bytes; `config` is NULL or valid; `name` and
 * `version` are NUL-terminated; `out` is writable.
 */
picomcp_status picomcp_server_init(void *memory,
                                   size_t len,
                                   const struct picomcp_config *config,
                                   const char *name,
                                   const char *version,
                                   struct picomcp_server **out);

#if defined(PICOMCP_STD)
/**
 * Create a server with `malloc`ed memory (std builds only); free it with
 * `picomcp_server_free`. Statuses as `picomcp_server_init`.
 *
 * # Safety
 * As `picomcp_server_init`, without `memory`.
 */
picomcp_status picomcp_server_new(const struct picomcp_config *config,
                                  const char *name,
                                  const char *version,
                                  struct picomcp_server **out);
#endif

#if defined(PICOMCP_STD)
/**
 * Free a server made by `picomcp_server_new` (NULL is fine). A server made by
 * `picomcp_server_init` is left alone (its memory is the caller's). Never call it from a
 * callback or while a driver runs.
 *
 * # Safety
 * `server` is NULL or a live server; it is invalid afterwards.
 */
void picomcp_server_free(struct picomcp_server *server);
#endif

/**
 * Register a tool: `tool`'s texts are copied (the struct may be freed after the call);
 * `handler` answers its calls with `userdata`. Before serving only.
 *
 * Returns `PICOMCP_STATUS_OK`; `NULL_POINTER` (`server`, `tool`, `tool->name` or
 * `handler`); `INVALID_UTF8`; `INVALID_JSON` (`input_schema` is not a JSON object with
 * `"type": "object"`, `output_schema` not a JSON object); `INVALID_ARGUMENT` (an empty
 * name, a hint other than the `PICOMCP_HINT_*` values); `DUPLICATE`; `NO_ROOM`
 * (`max_tools` or `text_bytes` used up); `MISUSE` (serving already started).
 *
 * # Safety
 * `server` is NULL or live; `tool` is NULL or valid with NULL or NUL-terminated texts.
 */
picomcp_status picomcp_server_add_tool(struct picomcp_server *server,
                                       const struct picomcp_tool *tool,
                                       picomcp_handler handler,
                                       void *userdata);

/**
 * Register a fixed resource (texts copied); `handler` answers its reads. Statuses as
 * `picomcp_server_add_tool` (`DUPLICATE` for a URI already registered; `uri` and `name`
 * are required).
 *
 * # Safety
 * As `picomcp_server_add_tool`.
 */
picomcp_status picomcp_server_add_resource(struct picomcp_server *server,
                                           const struct picomcp_resource *resource,
                                           picomcp_handler handler,
                                           void *userdata);

/**
 * Register a resource template (texts copied); `handler` answers reads of URIs that
 * match it and no fixed resource. Statuses as `picomcp_server_add_tool`
 * (`INVALID_ARGUMENT` for a malformed template).
 *
 * # Safety
 * As `picomcp_server_add_tool`.
 */
picomcp_status picomcp_server_add_template(struct picomcp_server *server,
                                           const struct picomcp_template *template_,
                                           picomcp_handler handler,
                                           void *userdata);

/**
 * Register a prompt (texts and arguments copied); `handler` answers `prompts/get` once
 * picomcp checked that every required argument is there. Statuses as
 * `picomcp_server_add_tool` (`NO_ROOM` also when `max_prompt_arguments` is used up).
 *
 * # Safety
 * As `picomcp_server_add_tool`; `prompt->arguments` points to `argument_count`
 * arguments (or is NULL when there are none).
 */
picomcp_status picomcp_server_add_prompt(struct picomcp_server *server,
                                         const struct picomcp_prompt *prompt,
                                         picomcp_handler handler,
                                         void *userdata);

/**
 * Answer `completion/complete` with `handler` (and advertise the capability). Without
 * it, picomcp does not offer completions. A reference to no prompt or resource template
 * (by its exact URI template) or fixed resource the caller may see completes to nothing
 * without calling `handler`. Before serving only; statuses `OK`, `NULL_POINTER`, `MISUSE`.
 *
 * # Safety
 * `server` is NULL or live.
 */
picomcp_status picomcp_server_on_complete(struct picomcp_server *server,
                                          picomcp_handler handler,
                                          void *userdata);

/**
 * Be told when the client cancels a request (stop the work; the ticket is void, the
 * answer is not sent). NULL `handler` removes it. Statuses `OK`, `NULL_POINTER`
 * (`server`), `MISUSE` (from a callback).
 *
 * # Safety
 * `server` is NULL or live.
 */
picomcp_status picomcp_server_on_cancel(struct picomcp_server *server,
                                        picomcp_cancel_fn handler,
                                        void *userdata);

/**
 * Have `handler` called for deferred work: by the drivers after each batch of input and
 * when the delay it returned has passed, or by `picomcp_server_poll`. NULL removes it.
 * Statuses as `picomcp_server_on_cancel`.
 *
 * # Safety
 * `server` is NULL or live.
 */
picomcp_status picomcp_server_on_poll(struct picomcp_server *server,
                                      picomcp_poll_fn handler,
                                      void *userdata);

/**
 * Set the instructions clients get at initialization (copied). Before serving only;
 * statuses `OK`, `NULL_POINTER`, `INVALID_UTF8`, `NO_ROOM`, `MISUSE`.
 *
 * # Safety
 * `server` is NULL or live; `text` is NULL or NUL-terminated.
 */
picomcp_status picomcp_server_set_instructions(struct picomcp_server *server,
                                               const char *text);

/**
 * A NUL-terminated English description of `status`, in static storage (never NULL; an
 * unknown number gives `"unknown status"`).
 */
const char *picomcp_status_str(picomcp_status status);

/**
 * Add a text block to a tool result. `len` is the length in bytes, or `PICOMCP_STRLEN`
 * for a NUL-terminated `text`. The text is copied into the answer at once.
 *
 * Every writer returns `OK`; `NULL_POINTER`; `INVALID_UTF8`; `NO_ROOM` (the answer would
 * pass `result_bytes`: nothing of this piece was added, the answer so far is intact);
 * `BUSY` (another answer is being written: a reply handle is open); `OUT_OF_ORDER`
 * (content after structured content); `MISUSE` (a writer for another kind of answer, a
 * closed handle, or a callback's handle after it deferred).
 *
 * # Safety
 * `call` is a handle picomcp gave; `text` is valid for `len` bytes (or NUL-terminated).
 */
picomcp_status picomcp_call_text(struct picomcp_call *call,
                                 const char *text,
                                 size_t len);

/**
 * Add an image block to a tool result from raw bytes (picomcp writes them as base64).
 * Statuses as `picomcp_call_text`.
 *
 * # Safety
 * `call` is a handle picomcp gave; `data` is valid for `len` bytes; `mime_type` is
 * NUL-terminated.
 */
picomcp_status picomcp_call_image(struct picomcp_call *call,
                                  const uint8_t *data,
                                  size_t len,
                                  const char *mime_type);

/**
 * Add an audio block to a tool result from raw bytes (base64 done by picomcp).
 * Statuses as `picomcp_call_text`.
 *
 * # Safety
 * As `picomcp_call_image`.
 */
picomcp_status picomcp_call_audio(struct picomcp_call *call,
                                  const uint8_t *data,
                                  size_t len,
                                  const char *mime_type);

/**
 * Add a `resource_link` block to a tool result: `link->uri` and `link->name` are
 * required, the other texts optional. Statuses as `picomcp_call_text`.
 *
 * # Safety
 * `call` is a handle picomcp gave; `link` is valid with NULL or NUL-terminated texts.
 */
picomcp_status picomcp_call_resource_link(struct picomcp_call *call,
                                          const struct picomcp_resource *link);

/**
 * Add an embedded resource (`"type": "resource"`) with text contents to a tool result.
 * `mime_type` may be NULL. Statuses as `picomcp_call_text`.
 *
 * # Safety
 * As `picomcp_call_text`; `uri` is NUL-terminated, `mime_type` NULL or NUL-terminated.
 */
picomcp_status picomcp_call_embedded_text(struct picomcp_call *call,
                                          const char *uri,
                                          const char *mime_type,
                                          const char *text,
                                          size_t len);

/**
 * Add an embedded resource with binary contents (base64 done by picomcp) to a tool
 * result. Statuses as `picomcp_call_text`.
 *
 * # Safety
 * As `picomcp_call_embedded_text`, with `data` valid for `len` bytes.
 */
picomcp_status picomcp_call_embedded_blob(struct picomcp_call *call,
                                          const char *uri,
                                          const char *mime_type,
                                          const uint8_t *data,
                                          size_t len);

/**
 * Add a whole content block given as JSON text (checked; an object) to a tool result,
 * for block fields picomcp has no writer for. Statuses as `picomcp_call_text`, plus
 * `INVALID_JSON`.
 *
 * # Safety
 * As `picomcp_call_text`.
 */
picomcp_status picomcp_call_content_json(struct picomcp_call *call,
                                         const char *json,
                                         size_t len);

/**
 * Set a tool result's `structuredContent` from JSON text (checked), after every content
 * block. Tools with an output schema must send it; add a text block with the same JSON
 * first for clients that ignore structured content. Statuses as `picomcp_call_text`,
 * plus `INVALID_JSON`.
 *
 * # Safety
 * As `picomcp_call_text`.
 */
picomcp_status picomcp_call_structured(struct picomcp_call *call,
                                       const char *json,
                                       size_t len);

/**
 * Mark a tool result as a tool error (`isError: true`): the tool ran and failed, and
 * its content says why. Statuses as `picomcp_call_text`.
 *
 * # Safety
 * `call` is a handle picomcp gave.
 */
picomcp_status picomcp_call_set_error(struct picomcp_call *call,
                                      bool is_error);

/**
 * Add resource contents with text to a read's answer. `uri` NULL means the URI read;
 * `mime_type` may be NULL. Statuses as `picomcp_call_text`.
 *
 * # Safety
 * As `picomcp_call_embedded_text`, with `uri` NULL allowed.
 */
picomcp_status picomcp_call_contents_text(struct picomcp_call *call,
                                          const char *uri,
                                          const char *mime_type,
                                          const char *text,
                                          size_t len);

/**
 * Add binary resource contents (base64 done by picomcp) to a read's answer. Statuses as
 * `picomcp_call_text`.
 *
 * # Safety
 * As `picomcp_call_contents_text`, with `data` valid for `len` bytes.
 */
picomcp_status picomcp_call_contents_blob(struct picomcp_call *call,
                                          const char *uri,
                                          const char *mime_type,
                                          const uint8_t *data,
                                          size_t len);

/**
 * Set a prompt answer's `description`, before any message. Statuses as
 * `picomcp_call_text`.
 *
 * # Safety
 * As `picomcp_call_text`.
 */
picomcp_status picomcp_call_describe(struct picomcp_call *call,
                                     const char *text,
                                     size_t len);

/**
 * Add a text message to a prompt's answer. Statuses as `picomcp_call_text`, plus
 * `INVALID_ARGUMENT` (an unknown role).
 *
 * # Safety
 * As `picomcp_call_text`.
 */
picomcp_status picomcp_call_message(struct picomcp_call *call,
                                    picomcp_role role_,
                                    const char *text,
                                    size_t len);

/**
 * Add a message whose content block is JSON text (checked; an object) to a prompt's
 * answer. Statuses as `picomcp_call_message`, plus `INVALID_JSON`.
 *
 * # Safety
 * As `picomcp_call_text`.
 */
picomcp_status picomcp_call_message_json(struct picomcp_call *call,
                                         picomcp_role role_,
                                         const char *json,
                                         size_t len);

/**
 * Add a suggested value to a completion's answer (past 100 values it is dropped and
 * `hasMore` set). Statuses as `picomcp_call_text`.
 *
 * # Safety
 * As `picomcp_call_text`.
 */
picomcp_status picomcp_call_suggest(struct picomcp_call *call,
                                    const char *value,
                                    size_t len);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* PICOMCP_H */
