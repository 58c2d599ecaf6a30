//! The 100 tools both servers list: `echo` and 99 tools of a made-up but realistic
//! business server (issues, invoices, calendar events, ...), each with its own name,
//! description and input schema of about 150 bytes.
//!
//! The catalogue is built once, at start-up, from the table below: 33 kinds of things,
//! each with a `list_*`, a `get_*` and a `create_*` tool. Both sides get the very same
//! strings (leaked, so they are `&'static str`: picomcp's `Tool<'static>` borrows them,
//! rmcp's `Tool` holds them as `Cow::Borrowed`), sorted by name, the order in which rmcp's
//! router lists them. So both `tools/list` replies carry the same tools in the same order,
//! and `echo` sits where its name sorts, not first (picomcp looks tools up by a linear
//! search; rmcp by a hash map).

/// The `echo` tool's name.
pub const ECHO: &str = "echo";
/// The `echo` tool's description (the same as `rmcp-echo`'s).
pub const ECHO_DESCRIPTION: &str = "Echo the text back";
/// The `echo` tool's input schema: what rmcp derives (with schemars, `$schema` included)
/// for its `EchoArgs { text: String }`, checked at start-up by
/// `rmcp_side::Bench::check_echo_schema`.
pub const ECHO_SCHEMA: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"text":{"type":"string","description":"The text to send back."}},"required":["text"]}"#;

/// One kind of thing the made-up server manages.
struct Kind {
    /// Singular, in snake case (`pull_request`).
    noun: &'static str,
    /// Plural, in snake case (`pull_requests`).
    plural: &'static str,
    /// Where such things live, for descriptions (`a repository`).
    scope: &'static str,
    /// Two fields a `create_*` call needs: name, JSON type, description.
    fields: [(&'static str, &'static str, &'static str); 2],
}

/// Shorthand for the table.
const fn kind(
    noun: &'static str,
    plural: &'static str,
    scope: &'static str,
    fields: [(&'static str, &'static str, &'static str); 2],
) -> Kind {
    Kind { noun, plural, scope, fields }
}

/// 33 kinds × 3 verbs = 99 tools.
const KINDS: [Kind; 33] = [
    kind(
        "issue",
        "issues",
        "a repository",
        [("title", "string", "One-line summary"), ("body", "string", "Markdown description")],
    ),
    kind(
        "pull_request",
        "pull_requests",
        "a repository",
        [("head", "string", "Branch with the changes"), ("base", "string", "Branch to merge into")],
    ),
    kind(
        "branch",
        "branches",
        "a repository",
        [("name", "string", "New branch name"), ("from_ref", "string", "Commit or branch to start from")],
    ),
    kind(
        "release",
        "releases",
        "a repository",
        [("tag", "string", "Git tag to release"), ("notes", "string", "Release notes in Markdown")],
    ),
    kind(
        "deployment",
        "deployments",
        "an environment",
        [("service", "string", "Service to deploy"), ("version", "string", "Build version or image tag")],
    ),
    kind(
        "pipeline",
        "pipelines",
        "a CI project",
        [("ref", "string", "Branch or tag to build"), ("variables", "object", "Extra CI variables")],
    ),
    kind(
        "incident",
        "incidents",
        "the on-call service",
        [("summary", "string", "What is broken"), ("severity", "integer", "1 (critical) to 4 (low)")],
    ),
    kind(
        "alert_rule",
        "alert_rules",
        "the monitoring stack",
        [("expression", "string", "PromQL condition"), ("for_seconds", "integer", "How long it must hold")],
    ),
    kind(
        "dashboard",
        "dashboards",
        "the metrics workspace",
        [("title", "string", "Dashboard title"), ("panels", "array", "Panel definitions")],
    ),
    kind(
        "log_query",
        "log_queries",
        "the log store",
        [("query", "string", "LogQL or Lucene query"), ("range_minutes", "integer", "Time window to search")],
    ),
    kind(
        "calendar_event",
        "calendar_events",
        "a calendar",
        [("start", "string", "Start time, RFC 3339"), ("attendees", "array", "E-mail addresses to invite")],
    ),
    kind(
        "meeting_room",
        "meeting_rooms",
        "an office building",
        [("name", "string", "Room name shown to users"), ("capacity", "integer", "Number of seats")],
    ),
    kind(
        "email_draft",
        "email_drafts",
        "a mailbox",
        [("to", "array", "Recipient addresses"), ("subject", "string", "Subject line")],
    ),
    kind(
        "contact",
        "contacts",
        "the address book",
        [("full_name", "string", "First and last name"), ("email", "string", "Primary e-mail address")],
    ),
    kind(
        "customer",
        "customers",
        "the CRM",
        [("company", "string", "Legal company name"), ("country", "string", "ISO 3166 country code")],
    ),
    kind(
        "invoice",
        "invoices",
        "the billing account",
        [("customer_id", "string", "Who is billed"), ("amount_cents", "integer", "Total in cents")],
    ),
    kind(
        "payment",
        "payments",
        "the payment processor",
        [("invoice_id", "string", "Invoice being paid"), ("method", "string", "card, transfer or wallet")],
    ),
    kind(
        "subscription",
        "subscriptions",
        "the billing account",
        [("plan", "string", "Plan identifier"), ("seats", "integer", "Number of licensed seats")],
    ),
    kind(
        "product",
        "products",
        "the catalog",
        [("sku", "string", "Stock keeping unit"), ("price_cents", "integer", "Unit price in cents")],
    ),
    kind(
        "order",
        "orders",
        "the web shop",
        [("items", "array", "SKUs and quantities"), ("shipping_address", "object", "Where to ship")],
    ),
    kind(
        "shipment",
        "shipments",
        "a warehouse",
        [("order_id", "string", "Order being shipped"), ("carrier", "string", "Carrier code")],
    ),
    kind(
        "warehouse",
        "warehouses",
        "the logistics network",
        [("city", "string", "City it is in"), ("dock_count", "integer", "Number of loading docks")],
    ),
    kind(
        "support_ticket",
        "support_tickets",
        "the help desk",
        [("subject", "string", "Customer-facing subject"), ("priority", "string", "low, normal, high or urgent")],
    ),
    kind(
        "knowledge_article",
        "knowledge_articles",
        "the help center",
        [("title", "string", "Article title"), ("body_html", "string", "Article body as HTML")],
    ),
    kind(
        "wiki_page",
        "wiki_pages",
        "a wiki space",
        [("path", "string", "Slash-separated page path"), ("content", "string", "Page content in Markdown")],
    ),
    kind(
        "spreadsheet",
        "spreadsheets",
        "a shared drive",
        [("title", "string", "File name"), ("sheets", "array", "Names of the first sheets")],
    ),
    kind(
        "folder",
        "folders",
        "a shared drive",
        [("name", "string", "Folder name"), ("parent_id", "string", "Folder to create it in")],
    ),
    kind(
        "document",
        "documents",
        "a shared drive",
        [("title", "string", "Document title"), ("template_id", "string", "Template to start from")],
    ),
    kind(
        "task",
        "tasks",
        "a project",
        [("title", "string", "What needs doing"), ("due_date", "string", "Due date, YYYY-MM-DD")],
    ),
    kind(
        "project",
        "projects",
        "the workspace",
        [("name", "string", "Project name"), ("owner_email", "string", "Who is accountable")],
    ),
    kind(
        "sprint",
        "sprints",
        "a project board",
        [("goal", "string", "Sprint goal"), ("length_days", "integer", "Length in days")],
    ),
    kind(
        "employee",
        "employees",
        "the HR system",
        [("email", "string", "Work e-mail address"), ("department", "string", "Department code")],
    ),
    kind(
        "vpn_user",
        "vpn_users",
        "the VPN gateway",
        [("username", "string", "Login name"), ("expires_in_days", "integer", "Days until the account expires")],
    ),
];

/// One tool's descriptor, as both sides need it.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Unique name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Its input schema, as JSON text.
    pub input_schema: &'static str,
}

/// `a issue` is `an issue`.
fn article(words: &str) -> &'static str {
    if words.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// Keep a string for the rest of the run (the catalogue is built once).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The 100 tools, sorted by name.
pub fn tools() -> Vec<Spec> {
    let mut tools = vec![Spec { name: ECHO, description: ECHO_DESCRIPTION, input_schema: ECHO_SCHEMA }];
    for k in &KINDS {
        let words = k.noun.replace('_', " ");
        let plural_words = k.plural.replace('_', " ");
        let scope = k.scope;
        let [(f1, t1, d1), (f2, t2, d2)] = k.fields;
        tools.push(Spec {
            name: leak(format!("list_{}", k.plural)),
            description: leak(format!("List the {plural_words} in {scope}, newest first; filter with a search query.")),
            input_schema: leak(format!(
                r#"{{"type":"object","properties":{{"query":{{"type":"string","description":"Text matched against the {f1}"}},"limit":{{"type":"integer","minimum":1,"maximum":100,"description":"Page size"}}}}}}"#
            )),
        });
        tools.push(Spec {
            name: leak(format!("get_{}", k.noun)),
            description: leak(format!("Fetch one {words} from {scope} by its id, with all of its fields.")),
            input_schema: leak(format!(
                r#"{{"type":"object","properties":{{"{id}":{{"type":"string","description":"Id of the {words}"}},"include_history":{{"type":"boolean"}}}},"required":["{id}"]}}"#,
                id = format!("{}_id", k.noun),
            )),
        });
        tools.push(Spec {
            name: leak(format!("create_{}", k.noun)),
            description: leak(format!("Create {} {words} in {scope} and return its id.", article(&words))),
            input_schema: leak(format!(
                r#"{{"type":"object","properties":{{"{f1}":{{"type":"{t1}","description":"{d1}"}},"{f2}":{{"type":"{t2}","description":"{d2}"}}}},"required":["{f1}","{f2}"]}}"#
            )),
        });
    }
    tools.sort_by(|a, b| a.name.cmp(b.name));
    tools
}
